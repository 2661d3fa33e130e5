"""Issues filed before search existed are indexed after Firebell starts serving, not
inside create_app: on a large database that took a minute with /healthz silent, and a
liveness probe killed the process on upgrade day (issue 20)."""

from __future__ import annotations

from sqlalchemy import text

from bot.app import create_app
from bot.core.clock import FakeClock
from bot.demo.harness import running, sandbox_settings
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
