"""The playground in Chromium, as a newcomer plays it: Dana files an issue through the
modal (once without a title), the issue's channel appears with its card and checklist;
Sam, paged once the clock jumps to the 90 % mark, acknowledges from the DM, ticks a
checklist step, pins a message with 📌 and finds it on the timeline; a sample alert
opens an issue by itself. No console errors."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.demo.playground import Running, playground
from tests.browser.conftest import CHROMIUM, artefacts_folder, chromium_or_fail

# The README's picture: FIREBELL_SCREENSHOTS=docs/images pytest <this file>.
README_SHOTS = os.environ.get("FIREBELL_SCREENSHOTS")


@pytest.fixture
async def played(database_url: str) -> AsyncIterator[Running]:
    chromium_or_fail()
    async with playground(port=0, database_url=database_url) as run:
        yield run


async def test_a_newcomer_plays_an_issue_through(
    played: Running, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    from playwright.async_api import async_playwright, expect

    folder = artefacts_folder(request, tmp_path)
    errors: list[str] = []
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
        page = await (await browser.new_context(viewport={"width": 1400, "height": 900})).new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        await page.goto(played.url)

        # Dana is who one is at first; /incident new opens the report modal.
        await expect(page.get_by_role("button", name="Dana (support)")).to_have_attribute(
            "aria-pressed", "true"
        )
        composer = page.get_by_role("textbox", name="Message")
        await composer.fill("/incident new")
        await composer.press("Enter")
        modal = page.get_by_role("dialog")
        await expect(modal.locator(".modal-title")).to_have_text("Report an issue")

        # Submitted without a title: the inline error shows under the title.
        await modal.get_by_role("combobox", name="Type").select_option("outage")
        await modal.get_by_role("combobox", name=re.compile("^Severity")).select_option("critical")
        await modal.get_by_role("button", name="File issue").click()
        await expect(modal.locator(".bk-has-error .bk-error")).to_be_visible()
        await page.screenshot(path=str(folder / "01-inline-error.png"))
        assert await modal.get_by_role("combobox", name="Type").input_value() == "outage"

        await modal.get_by_role("textbox", name="Title").fill("Checkout fails with 502")
        await modal.get_by_role("button", name="File issue").click()
        await expect(page.locator(".modal-overlay")).to_be_hidden()

        # The issue's channel appears; its card is pinned and its checklist is there.
        room = page.locator(".nav-channel", has_text=re.compile(r"inc-1-"))
        await room.click()
        await expect(page.locator(".msg-pinned").first).to_be_visible()
        await expect(page.locator(".messages")).to_contain_text("Detection checklist")
        await page.screenshot(path=str(folder / "02-issue-channel.png"))

        # Sam: the clock jumps to the warning, then to the 90 % page; he acknowledges.
        await page.get_by_role("button", name="Sam (on call)").click()
        await expect(page.get_by_role("button", name="Sam (on call)")).to_have_attribute(
            "aria-pressed", "true"
        )
        await page.locator(".nav-channel", has_text="Firebell").click()
        acknowledge = page.locator(".messages").get_by_role("button", name="Acknowledge")
        # Paused, the clock's face changes only with a jump: warning first, then the page.
        await page.get_by_role("button", name="Pause").click()
        await expect(page.locator(".clock-now")).to_contain_text("(paused)")
        for step in ("warning", "page"):
            await expect(page.locator(".clock-next")).to_have_attribute(
                "title", re.compile(f"INC-1 acknowledge {step}")
            )
            shown = await page.locator(".clock-now").inner_text()
            await page.get_by_role("button", name="Next SLA step").click()
            await expect(page.locator(".clock-now")).not_to_have_text(shown)
        await expect(acknowledge.first).to_be_visible()
        await acknowledge.first.click()
        await expect(page.locator(".messages")).to_contain_text(re.compile("acknowledged|took"))
        await page.screenshot(path=str(folder / "03-page-acknowledged.png"))

        # In the issue's channel Sam ticks a checklist step.
        await room.click()
        checklist = page.locator(".msg", has_text=re.compile("(Detection|Response) checklist"))
        # The channel draws either its messages or, for someone not in it, a Join button:
        # wait for one of them (is_visible() alone does not wait, and on a busy machine
        # the button came after the check). On a loaded CI machine (four lanes and a
        # browser on two cores) the page once still showed the DM after Playwright's
        # default 5 s: a guard against a hang here, not a bound on speed.
        join = page.get_by_role("button", name="Join channel")
        await expect(room).to_have_attribute("aria-current", "page", timeout=30_000)
        await expect(join.or_(checklist.last)).to_be_visible(timeout=30_000)
        if await join.is_visible():
            await join.click()
        before = await checklist.last.inner_text()
        await checklist.last.get_by_role("button", name="Done").first.click()
        await expect(checklist.last).not_to_have_text(before)

        # A message pinned with 📌 is on the timeline.
        await composer.fill("Error rate is back to 0.1% after the rollback")
        await composer.press("Enter")
        said = page.locator(".msg", has_text="Error rate is back to 0.1%").first
        await said.get_by_role("button", name=re.compile("React with 📌")).click()
        await expect(said.locator(".reaction")).to_contain_text("📌 1")
        await composer.fill("/incident timeline")
        await composer.press("Enter")
        timeline = page.locator(".msg.ephemeral").last
        await expect(timeline).to_contain_text("Error rate is back to 0.1%")
        await page.screenshot(path=str(folder / "04-timeline.png"))

        # A sample alert opens an issue by itself.
        await page.get_by_role("button", name="Alert: firing").click()
        await expect(page.locator(".nav-channel", has_text=re.compile(r"inc-2-"))).to_be_visible()
        await room.click()
        await page.screenshot(path=str(folder / "05-playground.png"))
        if README_SHOTS:
            shutil.copy(folder / "05-playground.png", Path(README_SHOTS) / "playground.png")
        await browser.close()
    print(f"\nscreenshots: {folder}")
    assert not errors, "console errors:\n" + "\n".join(errors)
