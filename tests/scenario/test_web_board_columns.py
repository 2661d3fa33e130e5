"""The board's default view: open issues in columns by status (New, Assigned, Revise,
Retest, Fixed), each headed with its status and count; the table stays at `?view=table`."""

from __future__ import annotations

import re

import aiohttp

from tests.scenario import test_web_sign_in
from tests.scenario.test_web_issue_page import csrf, text
from tests.scenario.test_web_sign_in import Web, browser, file, sign_in

web = test_web_sign_in.web  # the same fixture: sandbox users Dana, Sam and Olga

TITLES = ["Checkout is slow", "Search is down", "Cart loses items", "Login loops", "Maps blank"]


async def move(web: Web, b: aiohttp.ClientSession, key: str, *statuses: str) -> None:
    """Take `key` (Sam acknowledges it from its page), then move it through `statuses`."""
    url = f"{web.h.bot_url}/issues/{key}"
    posted = await b.post(f"{url}/assign", data={"csrf": csrf(await text(b, url))})
    assert posted.status == 200, posted.status
    for status in statuses:
        posted = await b.post(
            f"{url}/status", data={"csrf": csrf(await text(b, url)), "status": status}
        )
        assert posted.status == 200, (status, await posted.text())
    await web.h.firebell.settle()


def column(board: str, status: str) -> str:
    found = re.search(
        rf'<section class="column" aria-labelledby="column-{status}">(.*?)</section>',
        board,
        re.S,
    )
    assert found is not None, status
    return found[1]


async def test_the_board_shows_a_column_for_each_open_status(web: Web) -> None:
    h = web.h
    for title in TITLES:
        await file(h, web.dana, web.support, title=title)
    await file(h, web.dana, web.support, title="Orders stuck", severity="minor")
    async with browser() as b:
        await sign_in(b, h, web.sam)
        await move(web, b, "INC-2")
        await move(web, b, "INC-3", "revise")
        await move(web, b, "INC-4", "revise", "retest")
        await move(web, b, "INC-5", "revise", "retest", "fixed")
        board = await text(b, f"{h.bot_url}/")

        expected = {
            "new": ("New", ["INC-1", "INC-6"]),
            "assigned": ("Assigned", ["INC-2"]),
            "revise": ("Revise", ["INC-3"]),
            "retest": ("Retest", ["INC-4"]),
            "fixed": ("Fixed", ["INC-5"]),
        }
        order = [board.index(f'aria-labelledby="column-{s}"') for s in expected]
        assert order == sorted(order)  # New, Assigned, Revise, Retest, Fixed
        for status, (heading, keys) in expected.items():
            words = "issue" if len(keys) == 1 else "issues"
            section = column(board, status)
            assert f'>{heading} <span class="count">({len(keys)} {words})</span></h2>' in section
            cards = re.findall(r'<li class="card">.*?<a href="/issues/(INC-\d+)">', section, re.S)
            assert cards == keys or sorted(cards) == sorted(keys), (status, cards)
        # A card: the key links to the page; title, both severities, owner, the SLA in words.
        new = column(board, "new")
        assert "Checkout is slow" in new and "Orders stuck" in new
        assert "<dt>Severity (reporter)</dt>" in new and "<dt>Priority (engineering)</dt>" in new
        assert "SLA ok" in new
        assert "Sam" in column(board, "assigned")  # the owner, by name
        assert 'href="/?status=closed"' in board and 'href="/?view=table"' in board

        # A filter keeps the columns: only the minor one is left, in New.
        minor = await text(b, f"{h.bot_url}/?severity=minor")
        assert "Orders stuck" in column(minor, "new") and "Checkout is slow" not in minor
        assert "(0 issues)</span></h2>" in column(minor, "fixed")
        assert 'href="/?severity=minor&amp;view=table"' in minor
        # The status filter shows that status's column alone.
        retest = await text(b, f"{h.bot_url}/?status=retest")
        assert "Login loops" in column(retest, "retest") and "column-new" not in retest

        # The table is still there, with the same issues and filters.
        table = await text(b, f"{h.bot_url}/?view=table")
        assert '<table class="board">' in table and 'class="columns"' not in table
        rows = re.findall(r'<tr>\s*<td><a href="/issues/(INC-\d+)">', table)
        assert sorted(rows) == [f"INC-{n}" for n in range(1, 7)]
        assert '<input type="hidden" name="view" value="table">' in table
        assert 'href="/?status=closed&amp;view=table"' in table
        filtered = await text(b, f"{h.bot_url}/?view=table&severity=minor")
        assert re.findall(r'<tr>\s*<td><a href="/issues/(INC-\d+)">', filtered) == ["INC-6"]
        closed = await text(b, f"{h.bot_url}/?status=closed")
        assert "Closed issues" in closed and "No closed issues" in closed
