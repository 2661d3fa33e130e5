"""/readyz answers 200 only when the database answers at the current migration and
Slack's auth.test succeeded within the last minute; 503 with a reason otherwise.
/healthz stays a liveness check."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.app import create_app
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, sandbox_settings
from storage.db import Database
from storage.migrate import upgrade


async def get(h: Harness, path: str) -> tuple[int, Any]:
    async with aiohttp.ClientSession() as http, http.get(h.bot_url + path) as response:
        return response.status, await response.json()


async def test_ready_until_slack_stops_answering(h: Harness, clock: FakeClock) -> None:
    assert h.firebell.search_backfill is not None
    await h.firebell.search_backfill.finished()  # an empty database: nothing to index
    assert await get(h, "/readyz") == (
        200,
        {"ok": True, "checks": {"database": "ok", "slack": "ok", "search": "ok"}},
    )
    calls = len(h.ws.calls_to("auth.test"))
    await get(h, "/readyz")
    assert len(h.ws.calls_to("auth.test")) == calls  # fresh for a minute: not asked again
    h.sandbox.faults.inject("auth.test", "server_error")
    clock.advance(seconds=61)
    status, body = await get(h, "/readyz")
    assert status == 503 and body["ok"] is False
    assert body["checks"]["database"] == "ok"
    assert body["error"].startswith("Slack")
    assert (await get(h, "/healthz"))[0] == 200  # alive, not ready
    h.sandbox.faults.clear()
    assert (await get(h, "/readyz"))[0] == 200


async def test_not_ready_on_an_old_or_absent_database(tmp_path: Any, clock: FakeClock) -> None:
    from sandbox import Sandbox

    sandbox = await Sandbox().start()
    try:
        old = f"sqlite:///{tmp_path}/old.db"
        upgrade(Database(old), "0009")
        firebell = create_app(sandbox_settings(sandbox, old), clock=clock, migrate=False)
        found = await firebell.readiness.check()
        assert found["ok"] is False
        assert found["checks"]["database"].startswith("the database is at migration 0009")
        gone = f"sqlite:///{tmp_path}/no/such/dir/x.db"
        firebell = create_app(sandbox_settings(sandbox, gone), clock=clock, migrate=False)
        found = await firebell.readiness.check()
        assert found["checks"]["database"].startswith("the database does not answer")
    finally:
        await sandbox.stop()
