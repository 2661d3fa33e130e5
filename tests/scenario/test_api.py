"""GET /api/v1/stats: the figures as JSON, behind a token from firebell.yml."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from tests.helpers import channel_of, file_report, people, run

TOKEN = "api-token-0123456789"


async def get(h: Harness, path: str, token: str | None = TOKEN) -> tuple[int, Any]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with aiohttp.ClientSession() as http, http.get(h.bot_url + path, headers=headers) as r:
        return r.status, await r.json()


async def test_stats_as_json_with_known_times(database_url: str, clock: FakeClock) -> None:
    config = FirebellConfig.model_validate({"api": {"tokens": {"grafana": {"token": TOKEN}}}})
    async with running(database_url, clock=clock, config=config) as h:
        dana, sam, support = people(h)
        room = channel_of(h, await file_report(h, dana, support))
        clock.advance(minutes=10)
        await run(h, sam, room, "ack")
        status, body = await get(h, "/api/v1/stats")
        assert status == 200
        assert body["time_to_acknowledge"] == {
            "count": 1,
            "mean": 600.0,
            "median": 600.0,
            "p90": 600.0,
        }
        assert body["time_to_fix"]["count"] == 0
        assert body["issues"]["filed"] == 1 and body["issues"]["by_source"] == {"slack": 1}
        acknowledge = body["sla"]["acknowledge"]
        assert acknowledge["met"] == 1 and acknowledge["breached"] == 0
        assert acknowledge["compliance"] == 1.0 and acknowledge["breached_now"] == 0
        today = clock.now().date().isoformat()
        status, body = await get(h, f"/api/v1/stats?since={today}&until={today}&service=x")
        assert status == 200 and body["issues"]["filed"] == 0
        assert await get(h, "/api/v1/stats", token=None) == (
            401,
            {
                "type": "about:blank",
                "title": "Unauthorized",
                "status": 401,
                "detail": "missing or wrong bearer token",
                "ok": False,
                "error": "missing or wrong bearer token",
            },
        )
        for bad in ("since=tomorrow", "until=9999-12-31", "since=2026-02-01&until=2026-01-01"):
            status, body = await get(h, f"/api/v1/stats?{bad}")
            assert status == 400 and body["ok"] is False and "<class" not in body["error"]


async def test_the_api_is_off_without_a_token(h: Harness) -> None:
    status, body = await get(h, "/api/v1/stats")
    assert status == 404 and "api.tokens" in body["error"]
