"""One issue fixed, then deployed by `firebell deploy --fixes`: the review, `/incident
stats`, `/api/v1/stats` and `/metrics` give the same time to deploy (deployed - Fixed),
in the same words where people read it."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.cli import main
from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.workspace import Message
from tests.helpers import channel_of, file_report, people, run

HOOK_TOKEN = "deploy-hook-token"
API_TOKEN = "insights-api-token-0123"


@pytest.fixture
async def h(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    config = FirebellConfig.model_validate(
        {
            "webhooks": {"tokens": {"deploy": HOOK_TOKEN}},
            "api": {"tokens": {"reports": {"token": API_TOKEN}}},
        }
    )
    async with running(database_url, clock=clock, config=config) as harness:
        yield harness


async def get(h: Harness, path: str, token: str | None = None) -> str:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{h.bot_url}{path}", headers=headers) as resp,
    ):
        assert resp.status == 200, await resp.text()
        return await resp.text()


def histogram(text: str, name: str) -> tuple[float, float]:
    """(count, sum) of an unlabelled histogram."""
    found = {s.name: s.value for f in text_string_to_metric_families(text) for s in f.samples}
    return found.get(f"{name}_count", 0.0), found.get(f"{name}_sum", 0.0)


def review_message(h: Harness, room_id: str) -> Message:
    return next(
        m for m in reversed(h.ws.messages_in(room_id)) if m.text.startswith("Post-incident review")
    )


@pytest.mark.parametrize(
    ("deployed_after_fix", "seconds", "words"),
    [
        (timedelta(minutes=30), 1800.0, "30m"),
        # The pipeline stamps the deploy a minute before someone marked the issue Fixed
        # (as a real clock does by microseconds when a release is the fix): the fix was
        # out when it was marked, so zero, not "none yet".
        (timedelta(minutes=-1), 0.0, "less than a minute"),
    ],
)
async def test_every_surface_gives_the_same_time_to_deploy(
    h: Harness, clock: FakeClock, deployed_after_fix: timedelta, seconds: float, words: str
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, service="checkout")
    room = channel_of(h, issue)
    clock.advance(minutes=10)
    for step in ("ack", "status revise", "status retest"):
        await run(h, sam, room, step)
    clock.advance(minutes=30)
    await run(h, sam, room, "fixed")
    fixed_at = clock.now()
    clock.advance(minutes=30)
    argv = ["deploy", "--service", "checkout", "--version", "v2", "--fixes", issue.key]
    argv += ["--time", (fixed_at + deployed_after_fix).isoformat()]
    argv += ["--url", h.bot_url, "--token", HOOK_TOKEN]
    assert await asyncio.to_thread(main, argv) == 0
    await h.firebell.settle()

    await run(h, sam, room, "review")
    review = str(review_message(h, room.id).blocks)
    assert f"Time to deploy (after the fix): {words}." in review
    assert "Time to fix: 40m." in review

    stats = await run(h, sam, support, "stats 7d")
    assert f"*Time to deploy (after the fix)*\\n{words} median (1)" in stats
    assert "*Time to fix*\\n40m median (1)" in stats

    body: dict[str, Any] = json.loads(await get(h, "/api/v1/stats", API_TOKEN))
    spread = body["time_to_deploy"]
    assert (spread["count"], spread["median"]) == (1, seconds)

    count, total = histogram(await get(h, "/metrics"), "firebell_time_to_deploy_seconds")
    assert (count, total) == (1, seconds)
