"""The one module that owns the engine. Sessions are short-lived and synchronous.

Firebell runs its database work synchronously on the event loop and never
awaits inside a transaction: transactions are a few milliseconds long, and in
one process they never overlap, so SQLite never sees lock contention.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine


def normalise_url(url: str) -> str:
    """Accept the common spellings and pick the psycopg 3 driver for PostgreSQL."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """The engine plus a session factory; one per running app, never global."""

    def __init__(self, url: str) -> None:
        self.url = normalise_url(url)
        self.engine = make_engine(self.url)
        # Called with the session's `info` after each commit (the outbox worker
        # listens, so what a transaction enqueued goes out at once).
        self.after_commit: list[Callable[[dict[str, Any]], None]] = []
        # Called with the session just before each commit, inside the transaction (the
        # search index is kept current there: it commits with the change or not at all).
        self.before_commit: list[Callable[[Session], None]] = []

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: commits on success, rolls back on any error."""
        with Session(self.engine, expire_on_commit=False) as session:
            try:
                yield session
                for prepare in self.before_commit:
                    prepare(session)
                session.commit()
            except BaseException:
                session.rollback()
                raise
            info = dict(session.info)
        for callback in self.after_commit:
            callback(info)

    def dispose(self) -> None:
        self.engine.dispose()


def safe_url(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
