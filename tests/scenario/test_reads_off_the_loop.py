"""A read that waits on the database never holds the event loop: with another
connection holding a lock on `issues`, the API's reads and a /metrics scrape wait
for it, and /healthz answers meanwhile (issue 20: both used to wait for the lock).

PostgreSQL only: SQLite's readers never wait for a writer's lock (WAL)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from tests.conftest import PG_URL
from tests.helpers import file_another, people

TOKEN = "reads-token-0123456789"
CONFIG = FirebellConfig.model_validate({"api": {"tokens": {"grafana": {"token": TOKEN}}}})

LAST_RESORT = 60  # seconds before the lock is taken away from a test that hangs

pytestmark = pytest.mark.skipif(not PG_URL, reason="needs PostgreSQL's table locks")


@pytest.fixture
async def h(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as harness:
        dana, _sam, support = people(harness)
        await file_another(harness, dana, support, title="Checkout fails with 502")
        yield harness


def waiting_on_issues(database_url: str) -> int:
    """Sessions waiting for a lock on `issues`, as the server sees them."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks "
                        "WHERE NOT granted AND relation = 'issues'::regclass"
                    )
                ).scalar_one()
            )
    finally:
        engine.dispose()


def end_session(database_url: str, pid: int) -> None:
    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/issues", "/api/v1/issues/INC-1", "/api/v1/stats", "/metrics"],
)
async def test_healthz_answers_while_a_read_waits_for_a_lock(
    h: Harness, database_url: str, path: str
) -> None:
    locker = create_engine(database_url)
    conn = locker.connect()
    conn.execute(text("LOCK TABLE issues IN ACCESS EXCLUSIVE MODE"))
    # A loop held by the read would never poll again: the lock goes in the end, so such
    # a run fails (the read finished before /healthz was asked) instead of hanging.
    pid = conn.execute(text("SELECT pg_backend_pid()")).scalar_one()
    safety = threading.Timer(LAST_RESORT, end_session, (database_url, pid))
    safety.start()
    try:
        async with aiohttp.ClientSession() as http:
            headers = {"Authorization": f"Bearer {TOKEN}"}

            async def read() -> int:
                async with http.get(h.bot_url + path, headers=headers) as r:
                    await r.read()
                    return r.status

            reading = asyncio.create_task(read())
            while not await asyncio.to_thread(waiting_on_issues, database_url):
                assert not reading.done(), "the read did not wait for the lock"
                await asyncio.sleep(0.01)
            async with http.get(h.bot_url + "/healthz") as alive:
                assert alive.status == 200
            assert not reading.done()  # still waiting for the lock: /healthz did not
            conn.rollback()  # the lock goes; the read finishes
            assert await reading == 200
    finally:
        safety.cancel()
        conn.close()
        locker.dispose()
