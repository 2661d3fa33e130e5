"""Gap-free, collision-free issue numbers."""

from __future__ import annotations

from sqlalchemy import insert, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from storage.models import KeyCounter


def next_number(session: Session, series: str) -> int:
    """Take the next number of a series inside the caller's transaction.

    The UPDATE takes a row lock (PostgreSQL) or the write lock (SQLite), so
    concurrent transactions queue here; a rolled-back transaction returns its
    number, so numbers have no gaps.
    """
    stmt = (
        update(KeyCounter)
        .where(KeyCounter.name == series)  # type: ignore[arg-type]
        .values(value=KeyCounter.value + 1)
        .returning(col(KeyCounter.value))
    )
    value = session.execute(stmt).scalar_one_or_none()
    if value is not None:
        return int(value)
    # First number of a new series. Inserting races with another first
    # insert; the loser retries the UPDATE inside a savepoint.
    try:
        with session.begin_nested():
            session.execute(insert(KeyCounter).values(name=series, value=1))
        return 1
    except IntegrityError:
        return int(session.execute(stmt).scalar_one())
