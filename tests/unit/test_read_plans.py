"""The reads of open issues go through the partial index of open issues (migration
0012), so a list, App Home and the open counts never read the closed history: the
statuses are written into the SQL, which both planners need to match the index (with
bound parameters SQLite scanned every issue at 100k; bench/scale.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text

from bot.incidents.queries import list_issues
from bot.insights import figure_queries as read
from bot.insights.figures import a_person, slowest_open
from storage.db import Database


@contextmanager
def statements(db: Database) -> Iterator[list[tuple[str, Any]]]:
    seen: list[tuple[str, Any]] = []

    def note(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        seen.append((sql, params))

    event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", note)


def plans(db: Database, work: Callable[[], object]) -> list[str]:
    """The plan of each SELECT on issues that `work` runs, as text."""
    with statements(db) as seen:
        work()
    found = []
    with db.engine.connect() as conn:
        if db.is_postgres:
            conn.execute(text("SET enable_seqscan = off"))  # an empty table: ask for indexes
        for sql, params in seen:
            if "FROM issues" not in sql:
                continue
            prefix = "EXPLAIN " if db.is_postgres else "EXPLAIN QUERY PLAN "
            rows = conn.exec_driver_sql(prefix + sql, params).all()
            found.append(" ".join(str(cell) for row in rows for cell in row))
    return found


def by_status(plan: str) -> bool:
    """Read through the open issues' index (or, where a planner without statistics likes
    it better, the status index, looked up by the open statuses): never a scan of all."""
    return "ix_issues_open" in plan or "USING INDEX ix_issues_status (status=?)" in plan


def test_lists_and_open_counts_read_the_open_issues_index(db: Database) -> None:
    reader = read.Scope(None, a_person("U1").may_see)

    def count() -> int:
        with db.session() as session:
            return read.open_count(session, reader)

    for work in (
        lambda: list_issues(db, "open", "U1"),
        lambda: list_issues(db, "mine", "U1"),
        lambda: slowest_open(db, 3),
        count,
    ):
        found = plans(db, work)
        assert found and all(by_status(plan) for plan in found), found


def test_my_issues_are_found_by_person(db: Database) -> None:
    (plan,) = plans(db, lambda: list_issues(db, "mine", "U1"))
    assert "ix_participants_user" in plan or "uq_participant_role" in plan, plan
    # Probed per open issue, never a hash of everything the person was ever in.
    assert "hashed" not in plan.lower(), plan
