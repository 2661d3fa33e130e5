"""The web app in a real browser (Chromium through Playwright): sign in through the
sandbox's OpenID page, the board and its filters, an issue acknowledged from its page
and seen changing in Slack, private issues, sessions, CSRF and sign-out. No console
errors on any page (the `browsing` fixture checks), a screenshot of each page kept."""

from __future__ import annotations

from typing import Any

from bot.demo.harness import Harness
from sandbox.workspace import Channel, User
from tests.browser.conftest import Browsing
from tests.helpers import GOOD_REPORT, open_modal

SECRET_TITLE = "Payroll export leaks salaries"


async def file_report(h: Harness, user: User, channel: Channel, **answers: Any) -> None:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def test_sign_in_filter_the_board_and_acknowledge_an_issue(browsing: Browsing) -> None:
    w, h = browsing, browsing.h
    await file_report(h, w.dana, w.support, title="Checkout is slow")
    await file_report(
        h, w.dana, w.support, title="Search is down", severity="minor", service="search-api"
    )
    page = await w.page()
    await w.sign_in(page, w.sam)
    rows = page.locator(".columns li.card")  # the default view: columns by status
    assert await rows.count() == 2
    assert "New (2 issues)" in await page.get_by_role("heading", name="New").inner_text()
    await w.shot(page, "board")

    await page.get_by_label("Severity").select_option("minor")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**/?*severity=minor*")
    assert await rows.count() == 1
    assert "Search is down" in await rows.first.inner_text()
    await w.shot(page, "board-filtered")
    await page.get_by_label("Severity").select_option("")
    await page.get_by_label("Service").select_option("checkout-api")
    await page.get_by_role("button", name="Filter").click()
    await page.wait_for_url("**service=checkout-api*")
    assert "Checkout is slow" in await rows.first.inner_text() and await rows.count() == 1
    await page.get_by_role("link", name="Table").click()  # the same filter, as a table
    await page.wait_for_url("**service=checkout-api*view=table*")
    table = page.locator("table.board tbody tr")
    assert await table.count() == 1 and "Checkout is slow" in await table.first.inner_text()

    await page.get_by_role("link", name="INC-1").click()
    await page.wait_for_url("**/issues/INC-1")
    assert "INC-1: Checkout is slow" in await page.inner_text("h1")
    assert "Timeline" in await page.inner_text("main")
    await w.shot(page, "issue")
    updates = len(h.ws.calls_to("chat.update"))
    await page.get_by_role("button", name="Acknowledge").click()
    await page.wait_for_url("**/issues/INC-1")
    await h.firebell.settle()
    assert "Status: Assigned" in await page.inner_text("p.status")
    assert await page.get_by_role("button", name="Acknowledge").count() == 0
    await w.shot(page, "issue-acknowledged")
    assert len(h.ws.calls_to("chat.update")) > updates  # the card in Slack changed
    assert w.sam.id in str(h.ws.calls_to("chat.update")[-1].args.get("blocks"))


async def test_a_private_issue_is_seen_only_by_its_members(browsing: Browsing) -> None:
    w, h = browsing, browsing.h
    await file_report(h, w.dana, w.support, title="Checkout is slow")
    await file_report(h, w.dana, w.support, title=SECRET_TITLE, private=["private"])
    olga = await w.page()
    await w.sign_in(olga, w.olga)
    board = await olga.inner_text("main")
    assert "Checkout is slow" in board and SECRET_TITLE not in board
    assert "1 private issue" in board
    await w.shot(olga, "board-non-member")
    w.expected_statuses.add(404)
    answer = await olga.goto(h.bot_url + "/issues/INC-2")
    assert answer is not None and answer.status == 404
    assert SECRET_TITLE not in await olga.content()
    await w.shot(olga, "private-issue-404")
    unknown = await olga.goto(h.bot_url + "/issues/INC-99")
    assert unknown is not None and unknown.status == 404

    dana = await w.page()
    await w.sign_in(dana, w.dana)
    assert SECRET_TITLE in await dana.inner_text("main")
    await dana.get_by_role("link", name="INC-2").click()
    await dana.wait_for_url("**/issues/INC-2")
    assert SECRET_TITLE in await dana.inner_text("h1")
    await w.shot(dana, "private-issue-member")


async def test_sessions_csrf_and_sign_out(browsing: Browsing) -> None:
    w, h = browsing, browsing.h
    await file_report(h, w.dana, w.support, title="Checkout is slow")
    page = await w.page()
    # Unsigned: any page sends to sign-in, and back to that page afterwards.
    await page.goto(h.bot_url + "/issues/INC-1")
    assert page.url == h.bot_url + "/login?next=/issues/INC-1"
    await w.shot(page, "unsigned-to-sign-in")
    # A forged session cookie is no session.
    await page.context.add_cookies(
        [{"name": "firebell_session", "value": "forged" * 20, "url": h.bot_url}]
    )
    await page.goto(h.bot_url + "/")
    assert page.url.startswith(h.bot_url + "/login")
    await page.context.clear_cookies()

    await w.sign_in(page, w.dana, "/issues/INC-1")
    # A form posted without its CSRF token is refused, and nothing changes.
    w.expected_statuses.add(403)
    await w.csrf_field_removed(page, "/issues/INC-1/acknowledge")
    await page.get_by_role("button", name="Acknowledge").click()
    await page.wait_for_load_state()
    assert "expired" in await page.inner_text("main")
    await w.shot(page, "csrf-refused")
    refused = await page.request.post(h.bot_url + "/issues/INC-1/acknowledge", form={})
    assert refused.status == 403
    await page.goto(h.bot_url + "/issues/INC-1")
    assert "Status: New" in await page.inner_text("p.status")

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_load_state()
    assert "Signed out" in await page.inner_text("h1")
    await w.shot(page, "signed-out")
    await page.goto(h.bot_url + "/")
    assert page.url.startswith(h.bot_url + "/login")
