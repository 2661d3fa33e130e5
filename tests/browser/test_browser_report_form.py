"""The web report form in a real browser (Chromium through Playwright): typing a title
shows a similar issue as a link, the script fills the hidden context fields, and the
report with a screenshot is filed as from the web form with the browser's details."""

from __future__ import annotations

import re

from tests.browser.conftest import Browsing
from tests.browser.test_browser_pages import file_report
from tests.helpers import issues

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)


async def test_typing_a_title_suggests_a_similar_issue_and_context_is_sent(
    browsing: Browsing,
) -> None:
    w, h = browsing, browsing.h
    await file_report(h, w.dana, w.support, title="Checkout fails for EU users")
    page = await w.page()
    await w.sign_in(page, w.sam, "/report")
    assert await page.input_value("input[name=viewport]") == "1200x800"
    assert re.fullmatch(r"\d+x\d+", await page.input_value("input[name=screen]"))
    assert await page.input_value("input[name=time_zone]")
    assert await page.input_value("input[name=language]")

    suggestion = page.locator("#similar a")
    await page.get_by_label("Title").press_sequentially("Checkout failing")
    await suggestion.first.wait_for()
    assert await suggestion.count() == 1
    assert await suggestion.first.inner_text() == "INC-1: Checkout fails for EU users"
    assert await suggestion.first.get_attribute("href") == "/issues/INC-1"
    await w.shot(page, "report-similar")

    await page.get_by_label("Title").fill("Checkout fails for Sam too")
    await page.get_by_label("Type").select_option("bug")
    await page.get_by_label("Severity (how bad is it for users?)").select_option("major")
    await page.get_by_label("Description").fill("The pay button spins forever.")
    await page.locator("#files").set_input_files(
        [{"name": "spinner.png", "mimeType": "image/png", "buffer": PNG}]
    )
    await page.get_by_role("button", name="File issue").click()
    await page.wait_for_url("**/issues/INC-2")
    await h.firebell.settle()
    main = await page.inner_text("main")
    assert "INC-2: Checkout fails for Sam too" in main and "Web form" in main
    assert "viewport 1200x800" in main and "Chrome" in main
    await w.shot(page, "report-filed")
    issue = next(i for i in issues(h.firebell.runtime.db) if i.number == 2)
    assert issue.reporter_id == w.sam.id and issue.context is not None
    assert issue.context["viewport"] == "1200x800"
    shared = [f["name"] for f in h.ws.files.values()]
    assert shared == ["spinner.png"]
