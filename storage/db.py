"""The one module that owns the engine. Sessions are short-lived and synchronous.

Sessions are synchronous and never await inside a transaction. Work that may
take longer than a Slack ack can spare (a webhook's batch, a stats query, a
scheduled sweep, an API read) goes through `Database.run`, which runs it in a
bounded pool of threads so the event loop keeps answering `/healthz` and Slack
meanwhile. The pool's queue is bounded too: `run_unless_busy` raises
`DatabaseBusy` instead of queueing past it, which webhooks answer with 503 and
`Retry-After` (Slack's requests never shed: they have 3 s and no retry of ours).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any, ParamSpec, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

P = ParamSpec("P")
T = TypeVar("T")

# Threads doing database work. SQLite takes one writer at a time whatever the
# count; PostgreSQL's pool (10 + 20 overflow) leaves room for the loop's own
# short sessions beside these.
DB_THREADS = 4
# Work waiting for a thread before `run_unless_busy` callers are refused. The
# outbox alone may queue a hundred (it delivers 50 items at once, each a read and
# a write); at 32 a storm's webhooks were refused while the outbox caught up on
# the issues the storm had opened (bench/no_stall.py: 7,200 of 10,000 alerts).
# What bounds a webhook burst is intake's own limit (bot/detection/batching.py).
MAX_WAITING = 256


class DatabaseBusy(Exception):
    """The database's queue is full; the caller should say "try again shortly"."""

    retry_after_seconds = 1


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
        self._pool: ThreadPoolExecutor | None = None
        self._pool_lock = threading.Lock()
        self._waiting = 0  # submitted to the pool and not finished; read on the loop

    async def run(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run `work(*args, **kwargs)` in the database's threads and await its result."""
        loop = asyncio.get_running_loop()
        self._waiting += 1
        try:
            return await loop.run_in_executor(self._threads(), lambda: work(*args, **kwargs))
        finally:
            self._waiting -= 1

    async def run_unless_busy(self, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """As `run`, but a full queue raises DatabaseBusy at once instead of waiting."""
        if self._waiting >= MAX_WAITING:
            raise DatabaseBusy()
        return await self.run(work, *args, **kwargs)

    @property
    def waiting(self) -> int:
        """Work handed to the database's threads and not yet finished."""
        return self._waiting

    def _threads(self) -> ThreadPoolExecutor:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(DB_THREADS, thread_name_prefix="firebell-db")
            return self._pool

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
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=True)
        self.engine.dispose()


def safe_url(url: str) -> str:
    """The URL as it may be printed: the password hidden."""
    return make_url(normalise_url(url)).render_as_string(hide_password=True)
