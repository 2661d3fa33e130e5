"""/readyz: whether this process can do its work now, for Kubernetes and load balancers.

Ready means: the database answers, its migrations are the ones this code expects,
and Slack's auth.test succeeded within the last minute (checked again when older), and
every issue has its search document (after an upgrade they are built in the
background: until then the answer is 503 with the percentage built).
/healthz stays a liveness check: the process answers.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy import text

from bot.core.clock import Clock
from bot.serving.startup import slack_error
from storage.db import Database
from storage.migrate import head_revision

SLACK_FRESH = timedelta(minutes=1)
SLACK_TIMEOUT = 3.0


class Readiness:
    def __init__(self, db: Database, client: AsyncWebClient, clock: Clock) -> None:
        self.db = db
        self.client = client
        self.clock = clock
        self.slack_ok_at: datetime | None = None
        self.head = head_revision()
        # Socket Mode sets this: why the websocket is down, or None while connected.
        self.socket: Callable[[], Awaitable[str | None]] | None = None
        # The search backfill sets this: how far it is, or None once every issue is in.
        self.search: Callable[[], str | None] | None = None

    def _database(self) -> str | None:
        """None when the database answers at the expected revision; else what is wrong."""
        try:
            with self.db.engine.connect() as conn:
                found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
        except Exception as exc:  # any driver error means "not ready", said in words
            return f"the database does not answer ({type(exc).__name__})"
        if found != self.head:
            return f"the database is at migration {found}, this code needs {self.head}"
        return None

    async def _slack(self) -> str | None:
        now = self.clock.now()
        if self.slack_ok_at is not None and now - self.slack_ok_at < SLACK_FRESH:
            return None
        try:
            async with asyncio.timeout(SLACK_TIMEOUT):
                await self.client.auth_test()
        except SlackApiError as exc:
            return f"Slack refused auth.test ({slack_error(exc)})"
        except Exception as exc:  # unreachable, timed out, or any client error
            return f"Slack's API does not answer ({type(exc).__name__})"
        self.slack_ok_at = now
        return None

    async def check(self) -> dict[str, Any]:
        database = await asyncio.to_thread(self._database)
        slack = await self._slack()
        checks = {"database": database or "ok", "slack": slack or "ok"}
        socket = await self.socket() if self.socket is not None else None
        if self.socket is not None:
            checks["socket"] = socket or "ok"
        search = self.search() if self.search is not None else None
        if self.search is not None:
            checks["search"] = search or "ok"
        problems = [p for p in (database, slack, socket, search) if p]
        return {
            "ok": not problems,
            "checks": checks,
            **({"error": "; ".join(problems)} if problems else {}),
        }

    async def handle(self, _request: web.Request) -> web.Response:
        found = await self.check()
        return web.json_response(found, status=200 if found["ok"] else 503)
