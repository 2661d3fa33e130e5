"""The issue page in full (clocks, participants, names, actions through the lifecycle,
timeline pages), the board's filters, search under the visibility rule, and the web
link on the Slack card."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest

from bot.core.clock import FakeClock
from bot.demo.harness import running
from sandbox import Sandbox
from storage.models import Issue, TimelineEvent
from tests.scenario import test_web_sign_in
from tests.scenario.test_web_sign_in import SECRET_TITLE, WEB, Web, browser, csrf, file, sign_in

web = test_web_sign_in.web  # the same fixture: sandbox users Dana, Sam and Olga, signed in


async def text(b: aiohttp.ClientSession, url: str) -> str:
    resp = await b.get(url)
    assert resp.status == 200, resp.status
    return await resp.text()


async def test_the_page_shows_clocks_participants_and_names(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    async with browser() as b:
        await sign_in(b, h, web.sam)
        page = await text(b, f"{h.bot_url}/issues/INC-1")
        assert "<h2>SLA</h2>" in page and "Acknowledge" in page and "on time" in page
        assert "Severity (reporter)" in page and "Priority (engineering)" in page
        # Names, not Slack ids: the reporter is Dana, a participant as reporter.
        assert "Dana" in page and "(reporter)" in page and "@Dana invited" in page
        assert f"<dd>{web.dana.id}</dd>" not in page
        assert "app.slack.com/client/" in page  # the channel opens in Slack
        # Firebell's bookkeeping is folded away unless asked for.
        assert "summary card pinned" not in page and "folded away" in page
        everything = await text(b, f"{h.bot_url}/issues/INC-1?all=1")
        assert "summary card pinned" in everything


async def test_assign_and_move_from_the_page_change_slack(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    async with browser() as b:
        await sign_in(b, h, web.sam)
        page = await text(b, f"{h.bot_url}/issues/INC-1")
        updates = len(h.ws.calls_to("chat.update"))
        done = await b.post(
            f"{h.bot_url}/issues/INC-1/assign", data={"csrf": csrf(page)}, allow_redirects=False
        )
        assert done.status == 303
        await h.firebell.settle()
        assert len(h.ws.calls_to("chat.update")) > updates
        assert web.sam.id in str(h.ws.calls_to("chat.update")[-1].args.get("blocks"))
        page = await text(b, f"{h.bot_url}/issues/INC-1")
        assert "Status: <strong>Assigned</strong>" in page and "Move to Revise" in page
        assert "Assign to me" not in page  # Sam holds it now
        # A move the lifecycle refuses: its words are on the page.
        refused = await b.post(
            f"{h.bot_url}/issues/INC-1/status", data={"csrf": csrf(page), "status": "closed"}
        )
        words = await refused.text()
        assert refused.status == 409
        assert "INC-1 is Assigned; from there it can move to" in words and "not Closed" in words
        # A move it allows: the card and the timeline say so.
        updates = len(h.ws.calls_to("chat.update"))
        moved = await b.post(
            f"{h.bot_url}/issues/INC-1/status",
            data={"csrf": csrf(page), "status": "revise"},
            allow_redirects=False,
        )
        assert moved.status == 303
        await h.firebell.settle()
        assert "Revise" in str(h.ws.calls_to("chat.update")[-1].args.get("blocks"))
        assert len(h.ws.calls_to("chat.update")) > updates
        page = await text(b, f"{h.bot_url}/issues/INC-1")
        assert "Status: <strong>Revise</strong>" in page and "moved Assigned → Revise" in page
        # Without its token, nothing moves.
        forged = await b.post(f"{h.bot_url}/issues/INC-1/status", data={"status": "retest"})
        assert forged.status == 403


async def test_timeline_pages(web: Web, clock: FakeClock) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    db = h.firebell.runtime.db
    with db.session() as session:
        issue = session.get(Issue, 1)
        assert issue is not None and issue.id is not None
        start = clock.now()
        for n in range(70):
            session.add(
                TimelineEvent(
                    issue_id=issue.id,
                    at=start + timedelta(minutes=n + 1),
                    actor_id=web.sam.id,
                    kind="status_update",
                    payload={"text": f"note number {n}"},
                )
            )
        session.commit()
    async with browser() as b:
        await sign_in(b, h, web.dana)
        first = await text(b, f"{h.bot_url}/issues/INC-1")
        assert "Page 1 of 2" in first and "note number 69" not in first
        assert 'href="?page=2"' in first
        second = await text(b, f"{h.bot_url}/issues/INC-1?page=2")
        assert "Page 2 of 2" in second and "note number 69" in second
        assert "update: note number 0<" not in second and "Sam" in second


async def test_search_and_board_filters_keep_private_issues_to_members(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout is slow")
    await file(
        h,
        web.dana,
        web.support,
        title=SECRET_TITLE,
        private=["private"],
        stack_trace="Traceback\n  File 'payroll.py'\nZebraOverflowError",
    )
    await file(
        h,
        web.dana,
        web.support,
        title="Cart loses items",
        stack_trace="Traceback\n  File 'cart.py'\nZebraOverflowError: basket",
    )
    async with browser() as olga, browser() as dana:
        await sign_in(olga, h, web.olga)
        found = await text(olga, f"{h.bot_url}/search?q=ZebraOverflowError")
        assert "Cart loses items" in found and "INC-3" in found
        assert SECRET_TITLE not in found and "INC-2" not in found and "private" not in found
        board = await text(olga, f"{h.bot_url}/?mine=1")
        assert "No open issues match these filters" in board  # Olga is in none
        closed = await text(olga, f"{h.bot_url}/?status=closed")
        assert "Closed issues" in closed and "No closed issues" in closed

        await sign_in(dana, h, web.dana)
        found = await text(dana, f"{h.bot_url}/search?q=ZebraOverflowError")
        assert SECRET_TITLE in found and "Cart loses items" in found
        mine = await text(dana, f"{h.bot_url}/?mine=1&source=people&type=outage")
        assert SECRET_TITLE in mine and "Checkout is slow" in mine
        none = await text(dana, f"{h.bot_url}/?source=alertmanager")
        assert "No open issues match these filters" in none
        # A badge in words beside the colour.
        assert "SLA ok" in await text(dana, f"{h.bot_url}/")


@pytest.mark.parametrize("base", [None, "https://firebell.example.com"])
async def test_the_card_links_to_the_page_only_with_a_base_url(
    database_url: str, clock: FakeClock, base: str | None
) -> None:
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    ws = sandbox.workspace
    dana = ws.add_user("dana", "Dana")
    support = ws.add_channel("support", dana, ws.bot)
    try:
        async with running(
            database_url, clock=clock, sandbox=sandbox, firebell_base_url=base, **WEB
        ) as h:
            await file(h, dana, support, title="Checkout is slow")
            cards = [
                str(c.args.get("blocks"))
                for c in ws.calls_to("chat.postMessage")
                if "Priority (engineering)" in str(c.args.get("blocks"))
            ]
            assert cards
            if base:
                assert any(f"<{base}/issues/INC-1|Open in Firebell's web app>" in c for c in cards)
            else:
                assert not any("/issues/INC-" in c for c in cards)
    finally:
        await sandbox.stop()
