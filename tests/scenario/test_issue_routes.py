"""GET /api/v1/issues and /api/v1/issues/INC-n: lists by status, period, service and
words, cursor pages, CSV safe for spreadsheets, private issues only for a private
token, the same 404 for a private key as for an unknown one."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
import pytest_asyncio

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from tests.helpers import channel_of, file_another, people, run

PUBLIC = "public-token-0123456789"
PRIVATE = "private-token-0123456789"
CONFIG = FirebellConfig.model_validate(
    {
        "api": {
            "tokens": {
                "grafana": {"token": PUBLIC},
                "auditors": {"token": PRIVATE, "private": True},
            }
        }
    }
)


# The tests only read: one Firebell with four issues serves them all (filing them took
# seconds a test on PostgreSQL).
pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def ha(module_database_url: str) -> AsyncIterator[Harness]:
    clock = FakeClock()
    async with running(module_database_url, clock=clock, config=CONFIG) as h:
        dana, sam, support = people(h)
        await file_another(h, dana, support, title="Checkout fails with 502")
        clock.advance(minutes=5)
        await file_another(h, dana, support, title="Payroll leaks", private=["private"])
        clock.advance(minutes=5)
        await file_another(h, dana, support, title='=HYPERLINK("http://x")', service="web")
        clock.advance(minutes=5)
        closed = await file_another(h, dana, support, title="Typo on invoice", severity="trivial")
        room = channel_of(h, closed)
        for step in ("ack", "status revise", "status retest", "fixed", "close Fixed the typo"):
            await run(h, sam, room, step)
        yield h


async def get(h: Harness, path: str, token: str | None = PUBLIC) -> tuple[int, Any, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(h.bot_url + path, headers=headers) as r:
        body = await r.json() if r.content_type.endswith("json") else await r.text()
        return r.status, body, r.headers


async def test_lists_by_status_and_pages_every_visible_issue_once(ha: Harness) -> None:
    status, body, _ = await get(ha, "/api/v1/issues")
    assert status == 200
    assert [i["key"] for i in body["issues"]] == ["INC-4", "INC-3", "INC-1"]  # newest first
    first = body["issues"][-1]
    assert first["title"] == "Checkout fails with 502" and first["source"] == "slack"
    assert first["filed_at"].endswith("Z") and first["closed_at"] is None
    _, closed, _ = await get(ha, "/api/v1/issues?status=closed")
    assert [i["key"] for i in closed["issues"]] == ["INC-4"]
    assert closed["issues"][0]["closed_at"] is not None
    _, web, _ = await get(ha, "/api/v1/issues?status=open&service=web")
    assert [i["key"] for i in web["issues"]] == ["INC-3"]
    _, words, _ = await get(ha, "/api/v1/issues?q=typo+invoice")
    assert [i["key"] for i in words["issues"]] == ["INC-4"]
    _, words, _ = await get(ha, "/api/v1/issues?q=payroll")
    assert words["issues"] == []  # private: not for this token, not even by its words

    seen, cursor = [], None
    for _ in range(5):
        path = "/api/v1/issues?limit=2&status=all" + (f"&cursor={cursor}" if cursor else "")
        _, page, _ = await get(ha, path, PRIVATE)
        seen += [i["key"] for i in page["issues"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == ["INC-4", "INC-3", "INC-2", "INC-1"]  # the private token sees INC-2


async def test_csv_matches_the_json_and_cannot_run_in_a_spreadsheet(ha: Harness) -> None:
    status, text, headers = await get(ha, "/api/v1/issues?format=csv&limit=2")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["key"] for r in rows] == ["INC-4", "INC-3"]
    assert rows[1]["title"] == '\'=HYPERLINK("http://x")'  # a formula stays text
    assert headers["X-Next-Cursor"] and 'rel="next"' in headers["Link"]
    assert "format=csv" in headers["Link"] and "limit=2" in headers["Link"]


async def test_one_issue_with_its_timeline_and_private_keys_unconfirmed(ha: Harness) -> None:
    status, body, _ = await get(ha, "/api/v1/issues/INC-4")
    assert status == 200 and body["status"] == "closed"
    kinds = [e["kind"] for e in body["timeline"]]
    assert kinds[0] == "filed" and "status_changed" in kinds
    assert body["timeline"][0]["text"] == "filed the issue"
    assert (await get(ha, "/api/v1/issues/inc-1"))[0] == 200  # any case
    hidden = await get(ha, "/api/v1/issues/INC-2")
    unknown = await get(ha, "/api/v1/issues/INC-99")
    assert hidden[0] == unknown[0] == 404
    assert "INC-2" in hidden[1]["error"] and "Payroll" not in str(hidden[1])
    assert (await get(ha, "/api/v1/issues/INC-2", PRIVATE))[1]["title"] == "Payroll leaks"
    assert (await get(ha, "/api/v1/issues/INC-" + "9" * 40))[0] == 404


BAD = [
    ("/api/v1/issues?status=maybe", "status must be open, closed or all"),
    ("/api/v1/issues?format=xml", "format must be json or csv"),
    ("/api/v1/issues?limit=0", "limit must be a whole number from 1 to 500"),
    ("/api/v1/issues?limit=" + "9" * 5000, "limit must be a whole number"),
    ("/api/v1/issues?cursor=bogus", "cursor is not one this API gave out"),
    ("/api/v1/issues?since=yesterday", "since must be a date like 2026-01-31"),
]


async def test_bad_queries_say_what_works_and_a_token_is_needed(ha: Harness) -> None:
    for path, reason in BAD:
        status, body, _ = await get(ha, path)
        assert status == 400 and body["error"].startswith(reason), path


async def test_a_token_is_needed(ha: Harness) -> None:
    assert (await get(ha, "/api/v1/issues", token=None))[0] == 401
    assert (await get(ha, "/api/v1/issues/INC-1", token="nope"))[0] == 401
