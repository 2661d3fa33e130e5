"""Link and merge events name the other issue, by its key only, wherever the timeline
is read: `/incident timeline`, GET /api/v1/issues/INC-n and `/incident summary`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from tests.helpers import channel_of, file_another, people, run

TOKEN = "public-token-0123456789"
CONFIG = FirebellConfig.model_validate({"api": {"tokens": {"grafana": {"token": TOKEN}}}})


@pytest.fixture
async def ht(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as h:
        yield h


async def api_timeline(h: Harness, key: str) -> list[str]:
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{h.bot_url}/api/v1/issues/{key}", headers=headers) as r,
    ):
        body: dict[str, Any] = await r.json()
    assert r.status == 200, body
    return [e["text"] for e in body["timeline"]]


async def test_links_and_merges_name_the_other_issue(ht: Harness, clock: FakeClock) -> None:
    h = ht
    dana, sam, support = people(h)
    first = await file_another(h, dana, support, title="Checkout fails with 502")
    clock.advance(minutes=5)
    second = await file_another(h, dana, support, title="Search is slow")
    clock.advance(minutes=5)
    third = await file_another(h, dana, support, title="Checkout 502 again")
    clock.advance(minutes=5)
    private = {"title": "Payroll export leaks", "private": ["private"]}
    fourth = await file_another(h, dana, support, **private)

    await run(h, sam, channel_of(h, first), "ack")  # sam leads INC-1, so he may merge into it
    assert "are linked" in await run(h, sam, channel_of(h, second), "link INC-1")
    clock.advance(minutes=1)
    assert "is merged into INC-1" in await run(h, sam, channel_of(h, third), "merge into INC-1")
    clock.advance(minutes=1)
    # The private one by its reporter: sam is not in its channel.
    assert "is merged into INC-1" in await run(h, dana, channel_of(h, fourth), "merge into INC-1")

    shown = await run(h, sam, channel_of(h, first), "timeline")
    assert f"<@{sam.id}> linked this issue to INC-2" in shown
    assert f"<@{sam.id}> merged INC-3 into this issue" in shown
    assert f"<@{dana.id}> merged INC-4 into this issue" in shown
    assert "merged from" not in shown and "Payroll" not in shown  # the private title stays out
    shown = await run(h, sam, channel_of(h, third), "timeline")
    assert "merged this issue into INC-1" in shown

    texts = await api_timeline(h, "INC-1")
    assert "linked this issue to INC-2" in texts
    assert "merged INC-3 into this issue" in texts
    assert "merged INC-4 into this issue" in texts
    assert "linked this issue to INC-1" in await api_timeline(h, "INC-2")
    assert "Payroll" not in str(await run(h, sam, support, "search payroll export"))

    # The catch-up's latest events (no status update posted yet) name the other issue too.
    summary = await run(h, dana, channel_of(h, second), "summary")
    await h.firebell.settle()
    later = [r for r in h.ws.responses if r.get("user") == dana.id]
    assert "linked this issue to INC-1" in summary + str(later[-1] if later else "")
    assert first.number == 1
