"""The web app's foundation: Sign in with Slack through the sandbox's OpenID provider,
sessions, the board and issue pages under the one visibility rule, CSRF, headers."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from cryptography.fernet import Fernet
from joserfc import jwt
from joserfc.jwk import RSAKey

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.web.oidc import OidcClient, SignInRefused
from sandbox import Sandbox
from sandbox.oidc import CLIENT_ID, CLIENT_SECRET
from sandbox.workspace import Channel, User
from tests.helpers import GOOD_REPORT, open_modal

WEB = {
    "slack_client_id": CLIENT_ID,
    "slack_client_secret": CLIENT_SECRET,
    "firebell_session_key": Fernet.generate_key().decode(),
}
SECRET_TITLE = "Payroll export leaks salaries"


@dataclass
class Web:
    h: Harness
    dana: User
    sam: User
    olga: User
    support: Channel


ConfigOf = Callable[[User, User, User], FirebellConfig]


@asynccontextmanager
async def web_running(
    database_url: str,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
    config_of: ConfigOf | None = None,
) -> AsyncIterator[Web]:
    """Firebell with its web app on, the sandbox as Slack and OpenID provider, and its
    users Dana, Sam and Olga in #support; `config_of(dana, sam, olga)` a config to run with."""
    # Both set in the environment too, where Bolt would read them (the OAuth trap).
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support = ws.add_channel("support", dana, sam, olga, ws.bot)
    config = {"config": config_of(dana, sam, olga)} if config_of is not None else {}
    try:
        async with running(database_url, clock=clock, sandbox=sandbox, **config, **WEB) as h:
            yield Web(h, dana, sam, olga, support)
    finally:
        await sandbox.stop()


@pytest.fixture
async def web(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Web]:
    async with web_running(database_url, clock, monkeypatch) as running_web:
        yield running_web


def csrf(page: str) -> str:
    """The CSRF token of the first form on a page."""
    token = re.search(r'name="csrf" value="([^"]+)"', page)
    assert token is not None
    return token[1]


async def file(h: Harness, user: User, channel: Channel, **answers: object) -> None:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


def browser() -> aiohttp.ClientSession:
    # unsafe: keep cookies for 127.0.0.1, as a browser does
    return aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))


async def sign_in(b: aiohttp.ClientSession, h: Harness, user: User, next_url: str = "/") -> str:
    """Through the whole OpenID flow; returns the page it lands on."""
    resp = await b.get(
        f"{h.bot_url}/login", params={"go": "1", "next": next_url}, allow_redirects=False
    )
    assert resp.status == 302, await resp.text()
    authorize = resp.headers["Location"]
    assert authorize.startswith(h.sandbox.base_url + "openid/connect/authorize?")
    listing = await b.get(authorize, allow_redirects=False)
    assert user.real_name in await listing.text()  # a page to choose whom to sign in as
    back = await b.get(authorize + f"&login_hint={user.id}", allow_redirects=False)
    assert back.status == 302 and back.headers["Location"].startswith(h.bot_url + "/auth/callback")
    page = await b.get(back.headers["Location"])
    return await page.text()


async def test_sign_in_shows_the_board_and_a_private_issue_only_to_members(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    await file(h, web.dana, web.support, title=SECRET_TITLE, private=["private"])
    async with browser() as olga, browser() as dana:
        board = await sign_in(olga, h, web.olga)
        assert "Signed in as Olga" in board and "Checkout is slow" in board
        assert SECRET_TITLE not in board and "1 private issue" in board
        resp = await olga.get(f"{h.bot_url}/issues/INC-2")
        assert resp.status == 404 and SECRET_TITLE not in await resp.text()
        unknown = await olga.get(f"{h.bot_url}/issues/INC-99")
        assert unknown.status == 404 and await unknown.text() == await resp.text()
        assert (await olga.get(f"{h.bot_url}/issues/not-a-key")).status == 404

        board = await sign_in(dana, h, web.dana)
        assert SECRET_TITLE in board
        page = await dana.get(f"{h.bot_url}/issues/inc-2")
        text = await page.text()
        assert page.status == 200 and SECRET_TITLE in text and "Timeline" in text
        # Filters in the query string, without JavaScript.
        filtered = await (await dana.get(f"{h.bot_url}/", params={"severity": "minor"})).text()
        assert "No open issues match these filters" in filtered


async def test_acknowledge_needs_csrf_and_changes_the_card_in_slack(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    async with browser() as b:
        await sign_in(b, h, web.sam)
        page = await (await b.get(f"{h.bot_url}/issues/INC-1")).text()
        assert "Acknowledge" in page
        token = csrf(page)
        url = f"{h.bot_url}/issues/INC-1/acknowledge"
        refused = await b.post(url, data={}, allow_redirects=False)
        assert refused.status == 403 and "expired" in await refused.text()
        forged = await b.post(url, data={"csrf": "x" * 43}, allow_redirects=False)
        assert forged.status == 403
        updates = len(h.ws.calls_to("chat.update"))
        done = await b.post(url, data={"csrf": token}, allow_redirects=False)
        assert done.status == 303
        await h.firebell.settle()
        page = await (await b.get(f"{h.bot_url}/issues/INC-1")).text()
        assert "Status: <strong>Assigned</strong>" in page and "acknowledged" in page
        assert len(h.ws.calls_to("chat.update")) > updates  # the card in Slack changed
        card = h.ws.calls_to("chat.update")[-1].args
        assert web.sam.id in str(card.get("blocks"))


async def test_pages_without_a_session_send_to_login(web: Web) -> None:
    h = web.h
    async with browser() as b:
        for path in ("/", "/issues/INC-1"):
            resp = await b.get(h.bot_url + path, allow_redirects=False)
            assert resp.status == 302
            assert resp.headers["Location"] == "/login?next=" + path
        # A forged or garbled cookie is no session: back to sign-in, never a 500.
        for cookie in (
            "garbage",
            Fernet(Fernet.generate_key())
            .encrypt(b'{"session": {"user": "U1", "expires": 9e12}}')
            .decode(),
        ):
            resp = await b.get(
                h.bot_url + "/", cookies={"firebell_session": cookie}, allow_redirects=False
            )
            assert resp.status == 302 and resp.headers["Location"].startswith("/login")
        login = await b.get(h.bot_url + "/login?next=//evil.example/")
        assert login.status == 200 and "evil.example" not in await login.text()
        # logout needs its CSRF token too, then ends the session
        await sign_in(b, h, web.dana)
        page = await (await b.get(h.bot_url + "/")).text()
        assert (await b.post(h.bot_url + "/logout", data={})).status == 403
        out = await b.post(h.bot_url + "/logout", data={"csrf": csrf(page)})
        assert out.status == 200 and "signed out" in await out.text()
        again = await b.get(h.bot_url + "/", allow_redirects=False)
        assert again.status == 302


@pytest.mark.parametrize(
    ("claims", "words"),
    [
        ({"aud": "another-app"}, "issued to another app"),
        ({"nonce": "not-this-one"}, "does not belong to this sign-in"),
        ({"exp": 1_000_000_000}, "has expired"),
        ({"iss": "https://evil.example"}, "issued by someone other than Slack"),
        ({"https://slack.com/team_id": "T0THER"}, "another Slack workspace"),
    ],
)
async def test_a_bad_id_token_is_refused_with_words(
    web: Web, claims: dict[str, Any], words: str
) -> None:
    h = web.h
    h.sandbox.oidc.override = claims
    async with browser() as b:
        page = await sign_in(b, h, web.dana)
        assert words in page and "Not signed in" in page
        resp = await b.get(h.bot_url + "/", allow_redirects=False)
        assert resp.status == 302  # no session came of it


async def test_a_state_is_used_once(web: Web) -> None:
    h = web.h
    async with browser() as b:
        resp = await b.get(f"{h.bot_url}/login?go=1", allow_redirects=False)
        authorize = resp.headers["Location"] + f"&login_hint={web.dana.id}"
        back = (await b.get(authorize, allow_redirects=False)).headers["Location"]
        assert "Open issues" in await (await b.get(back)).text()
        replay = await b.get(back)
        assert replay.status == 400 and "expired or was already used" in await replay.text()


async def test_security_headers_on_every_page(web: Web) -> None:
    h = web.h
    async with browser() as b:
        for path in ("/login", "/", "/issues/INC-1"):
            resp = await b.get(h.bot_url + path, allow_redirects=False)
            assert resp.headers["X-Frame-Options"] == "DENY"
            assert resp.headers["Referrer-Policy"] == "same-origin"
            assert resp.headers["X-Content-Type-Options"] == "nosniff"
            csp = resp.headers["Content-Security-Policy"]
            assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        await sign_in(b, h, web.dana)
        page = await b.get(h.bot_url + "/")
        assert "<script" not in await page.text() and " style=" not in await page.text()
        cookie = page.cookies.get("firebell_session") or next(iter(b.cookie_jar))
        assert cookie["httponly"] and cookie["samesite"] == "Lax"


async def test_slack_commands_answer_with_client_id_and_secret_set(web: Web) -> None:
    reply = await web.h.driver.slash_command(web.dana, web.support, "help")
    assert reply.status == 200 and "/incident" in reply.text


async def test_without_client_id_the_web_app_is_off_and_says_so(h: Harness) -> None:
    async with browser() as b:
        resp = await b.get(h.bot_url + "/login")
        assert resp.status == 503 and "The web app is off" in await resp.text()
        resp = await b.get(h.bot_url + "/", allow_redirects=False)
        assert resp.status == 302
    assert (
        await h.driver.slash_command(
            h.ws.add_user("x", "X"), h.ws.add_channel("c", h.ws.bot), "help"
        )
    ).status == 200


async def test_a_token_signed_by_another_key_is_refused(clock: FakeClock) -> None:
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    try:
        provider = sandbox.oidc
        user = sandbox.workspace.add_user("dana", "Dana")
        client = OidcClient(sandbox.api_url, CLIENT_ID, CLIENT_SECRET, clock)
        good = provider.id_token(provider.claims(user, "n1"))
        assert (await client.verify(good, "n1")).user_id == user.id
        other = RSAKey.generate_key(2048, parameters={"kid": provider.key.kid})
        forged = jwt.encode(
            {"alg": "RS256", "kid": provider.key.kid}, provider.claims(user, "n1"), other
        )
        with pytest.raises(SignInRefused, match="signature is not Slack's"):
            await client.verify(forged, "n1")
        with pytest.raises(SignInRefused, match="could not be read"):
            await client.verify("not.a.token", "n1")
    finally:
        await sandbox.stop()
