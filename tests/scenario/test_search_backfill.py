"""Issues filed before search existed are indexed after Firebell starts serving, not
inside create_app: on a large database that took a minute with /healthz silent, and a
liveness probe killed the process on upgrade day (issue 20)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from sqlalchemy import text

from bot.app import create_app
from bot.core.clock import FakeClock
from bot.demo.harness import running, sandbox_settings
from bot.serving.search_backfill import SearchBackfill
from bot.triage.search import SearchIndex
from sandbox import Sandbox
from storage.db import Database
from tests.helpers import people, run
from tests.unit.test_search_index import add


def documents(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM issue_search")).scalar() or 0)


async def test_old_issues_are_indexed_once_the_server_is_up(
    database_url: str, clock: FakeClock
) -> None:
    db = Database(database_url)
    for number in range(1, 4):  # as an older release left them: no search documents
        add(db, number, f"Quokka sightings in region {number}")
    assert documents(db) == 0
    sandbox = await Sandbox().start()
    try:
        built = create_app(sandbox_settings(sandbox, database_url), clock=clock)
        assert documents(db) == 0  # building the app indexes nothing: it may take a minute
        built.runtime.db.dispose()
    finally:
        await sandbox.stop()
    async with running(database_url, clock=clock) as h:
        # Serving already: /healthz answered before the backfill was awaited.
        backfill = h.firebell.search_backfill
        assert backfill is not None
        assert await backfill.finished() == 3
        assert documents(db) == 3
        dana, _sam, support = people(h)
        answer = await run(h, dana, support, "search quokka")
        assert all(f"INC-{n}" in answer for n in (1, 2, 3))
    db.dispose()


@contextmanager
def writes_held(db: Database) -> Iterator[None]:
    """Another writer holding the search index (a long live transaction, a backup):
    the backfill's next batch waits for it, its reads do not."""
    with db.engine.connect() as conn:
        if db.is_postgres:
            conn.execute(text("BEGIN"))
            conn.execute(text("LOCK TABLE issue_search IN EXCLUSIVE MODE"))
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            conn.rollback()


async def counted(backfill: SearchBackfill) -> None:
    for _ in range(2000):  # the count is one query off the loop
        if backfill.progress.counted:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the backfill never counted the issues")


async def readyz(h: Any) -> tuple[int, dict[str, Any]]:
    async with aiohttp.ClientSession() as http, http.get(h.bot_url + "/readyz") as response:
        return response.status, await response.json()


async def test_readyz_says_how_far_the_search_index_is_until_it_is_built(
    database_url: str, clock: FakeClock
) -> None:
    db = Database(database_url)
    index = SearchIndex(db)
    for number in range(1, 5):  # indexed by the release that filed them
        add(db, number, f"Wombat burrow {number}")
    assert index.reindex_missing() == 4
    for number in range(5, 9):  # filed by a release before search
        add(db, number, f"Quokka sightings in region {number}")
    async with running(database_url, clock=clock) as h:
        backfill = h.firebell.search_backfill
        assert backfill is not None
        with writes_held(db):
            await counted(backfill)
            status, body = await readyz(h)
            assert status == 503
            assert body["checks"]["search"].startswith("search index 50% built (4 of 8 issues)")
            assert body["checks"]["database"] == "ok" and body["checks"]["slack"] == "ok"
            assert body["error"] == body["checks"]["search"]
            async with aiohttp.ClientSession() as http, http.get(h.bot_url + "/healthz") as alive:
                assert alive.status == 200  # alive throughout, only not ready
        assert await backfill.finished() == 4
        status, body = await readyz(h)
        assert (status, body["checks"]["search"]) == (200, "ok")
        dana, _sam, support = people(h)
        answer = await run(h, dana, support, "search quokka")
        assert all(f"INC-{n}" in answer for n in range(5, 9))
    assert documents(db) == 8
    db.dispose()


class StopsAfterOneBatch(SearchBackfill):
    """A process told to stop (SIGTERM) while it writes its first batch."""

    def _store(self, documents: dict[int, str]) -> int:
        added = super()._store(documents)
        self._stopping = True
        return added


async def test_a_restart_midway_ends_with_every_issue_indexed_once(db: Database) -> None:
    index = SearchIndex(db)
    for number in range(1, 8):
        add(db, number, f"Platypus report {number}")
    first = StopsAfterOneBatch(index, batch=3)
    first.start()
    assert await first.finished() == 3
    assert first.problem() == (
        "search index 42% built (3 of 7 issues); search misses the rest until it is done"
    )
    assert documents(db) == 3
    second = SearchBackfill(index, batch=3)  # the next start
    second.start()
    assert await second.finished() == 4
    assert second.problem() is None
    with db.engine.connect() as conn:
        key = "issue_id" if db.is_postgres else "rowid"
        rows = conn.execute(text(f"SELECT {key} FROM issue_search ORDER BY {key}")).scalars()
        ids = conn.execute(text("SELECT id FROM issues ORDER BY id")).scalars()
        assert list(rows) == list(ids)  # each issue once
    with db.session() as session:
        assert len(index.search(session, "platypus")) == 7
    third = SearchBackfill(index)  # nothing left: ready at once, nothing written
    third.start()
    assert await third.finished() == 0
    assert third.problem() is None
