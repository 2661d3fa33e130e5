"""The notification ledger: a unique key per decision, so each is acted on once.

Used for SLA warnings and pages, digests and follow-up reminders. The key is
claimed in a savepoint of the caller's transaction: whoever commits it first
(replica, restart) is the only one who acts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.bulk import pg_insert_rows
from storage.models import Notification


def record_once(
    session: Session,
    key: str,
    issue_id: int | None,
    kind: str,
    at: datetime,
    target: str | None = None,
) -> bool:
    """True the first time a notification key is seen (in this transaction's savepoint)."""
    try:
        with session.begin_nested():
            session.add(
                Notification(key=key, issue_id=issue_id, kind=kind, target=target, created_at=at)
            )
    except IntegrityError:
        return False
    return True


def record_many(session: Session, rows: list[dict[str, object]]) -> set[str]:
    """The keys seen for the first time, of many notifications, in one statement: each
    row is `record_once`'s arguments (key, issue_id, kind, created_at, target). A key
    already committed, or committed meanwhile by another transaction (PostgreSQL waits
    for it), is left out: whoever inserted it is the only one who acts."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    table = Notification.__table__  # type: ignore[attr-defined]
    if dialect == "postgresql":
        found = pg_insert_rows(
            session,
            table,
            [{"target": None, **row} for row in rows],
            returning="key",
            skip_conflicts_on="key",
        )
        return set(found)
    # SQLite: one statement with its rows as parameters (executemany, sent as
    # multi-row INSERTs): compiled once and cached.
    stmt = (
        sqlite_insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(table.c.key)
    )
    return set(session.execute(stmt, [{"target": None, **row} for row in rows]).scalars())
