"""Firebell with its web app on, the sandbox as the OpenID provider, and a real Chromium
driven by Playwright (Debian's `chromium` at /usr/bin/chromium: Playwright's own browser
download is not reachable; `.ci/run` installs the package).

Every page's console is collected, and a test fails on any console error or uncaught
exception; each page a test looks at is kept as a screenshot under $FIREBELL_ARTEFACTS
(or the test's temporary folder), printed at the end of the test.
"""

from __future__ import annotations

import os
import re
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from cryptography.fernet import Fernet

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.oidc import CLIENT_ID, CLIENT_SECRET
from sandbox.workspace import Channel, User

if TYPE_CHECKING:
    from playwright.async_api import Browser, Page

CHROMIUM = "/usr/bin/chromium"
WEB = {
    "slack_client_id": CLIENT_ID,
    "slack_client_secret": CLIENT_SECRET,
    "firebell_session_key": Fernet.generate_key().decode(),
}
# Chromium reports a page answered with an error status (a 404 for a private issue, a
# 403 for a form without its token) as a console error; those pages are what the test
# asked for, so a test names the statuses it expects and only those are let through.
LOAD_FAILED = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")


def chromium_or_fail() -> None:
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} is missing: the browser tests need Debian's chromium package "
            "(.ci/run installs it; locally: apt-get install chromium)",
            pytrace=False,
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.fail(
            "playwright is not installed: pip install -e '.[dev]' (make test does)", pytrace=False
        )


@dataclass
class Browsing:
    h: Harness
    browser: Browser
    artefacts: Path
    dana: User
    sam: User
    olga: User
    support: Channel
    errors: list[str] = field(default_factory=list)
    expected_statuses: set[int] = field(default_factory=set)
    shots: list[Path] = field(default_factory=list)

    async def page(self) -> Page:
        """A new browser (its own cookies) with one page, its console watched."""
        context = await self.browser.new_context(viewport={"width": 1200, "height": 800})
        page = await context.new_page()
        page.on("console", lambda msg: self._console(page, msg.type, msg.text))
        page.on("pageerror", lambda exc: self.errors.append(f"{page.url}: {exc}"))
        return page

    def _console(self, page: Page, kind: str, text: str) -> None:
        if kind != "error":
            return
        failed = LOAD_FAILED.search(text)
        if failed and int(failed[1]) in self.expected_statuses:
            return
        self.errors.append(f"{page.url}: {text}")

    async def shot(self, page: Page, name: str) -> None:
        path = self.artefacts / f"{len(self.shots) + 1:02d}-{name}.png"
        await page.screenshot(path=str(path), full_page=True)
        self.shots.append(path)

    async def sign_in(self, page: Page, user: User, path: str = "/") -> None:
        """Through the whole OpenID flow, as a person does: the page asks to sign in,
        the sandbox lists its people, a click on one comes back signed in."""
        await page.goto(self.h.bot_url + path)
        assert page.url.startswith(self.h.bot_url + "/login")
        await self.shot(page, "sign-in")
        await page.get_by_role("link", name="Sign in with Slack").click()
        assert page.url.startswith(self.h.sandbox.base_url + "openid/connect/authorize")
        await self.shot(page, "sandbox-authorize")
        await page.get_by_role("link", name=re.compile(re.escape(user.real_name))).click()
        await page.wait_for_load_state()
        assert page.url == self.h.bot_url + path, page.url
        assert f"Signed in as {user.real_name}" in await page.inner_text("header")

    async def csrf_field_removed(self, page: Page, form_action: str) -> None:
        await page.evaluate(
            '(action) => document.querySelector(`form[action="${action}"] input[name=csrf]`)'
            ".remove()",
            form_action,
        )


def artefacts_folder(request: pytest.FixtureRequest, tmp_path: Path) -> Path:
    root = os.environ.get("FIREBELL_ARTEFACTS")
    base = Path(root) / "browser" if root else tmp_path / "screenshots"
    db = "postgresql" if os.environ.get("FIREBELL_TEST_DATABASE_URL") else "sqlite"
    folder = base / f"{request.node.name}-{db}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


# Firebell's config made from the sandbox's Dana, Sam and Olga; a test that needs one
# (schedules, webhooks) parametrizes this fixture with such a function.
ConfigOf = Callable[[User, User, User], FirebellConfig]


@pytest.fixture
def browsing_config() -> ConfigOf | None:
    return None


@pytest.fixture
async def browsing(
    database_url: str,
    clock: FakeClock,
    browsing_config: ConfigOf | None,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
    tmp_path: Path,
) -> AsyncIterator[Browsing]:
    chromium_or_fail()
    from playwright.async_api import async_playwright

    # Both set in the environment too, where Bolt would read them (the OAuth trap).
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support = ws.add_channel("support", dana, sam, olga, ws.bot)
    config = browsing_config(dana, sam, olga) if browsing_config else None
    folder = artefacts_folder(request, tmp_path)
    try:
        async with (
            running(database_url, clock=clock, sandbox=sandbox, config=config, **WEB) as h,
            async_playwright() as pw,
        ):
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            b = Browsing(h, browser, folder, dana, sam, olga, support)
            try:
                yield b
            finally:
                await browser.close()
                print(f"\nscreenshots of {request.node.name}: {folder}")
            assert not b.errors, "console errors:\n" + "\n".join(b.errors)
    finally:
        await sandbox.stop()
