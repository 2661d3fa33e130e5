"""Issues filed before search existed get their search documents after the server is
up, a batch at a time: on a large database this took a minute, and run inside
create_app it kept /healthz silent long enough for a liveness probe to kill the
process on upgrade day (issue 20).

Each batch is two short pieces of work in the database's threads (`Database.run`),
never on the event loop: the documents are read in one transaction, then stored in
another that writes from its first statement, so SQLite's write lock is held for a
batch's inserts only and live traffic waits milliseconds at most. An issue that gets
a document meanwhile (a live change) keeps it. Nothing is remembered but the index
itself: a restart midway starts again from the issues that still have none.

/readyz says 503 with the percentage until every issue has a document; the log says
done/total, the rate and the time left every few seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass

from sqlalchemy import func, text
from sqlalchemy.orm import load_only
from sqlmodel import col, select

from bot.triage.search import SearchIndex, documents
from storage.db import Database
from storage.models import Issue

log = logging.getLogger(__name__)

BATCH = 200  # issues a transaction
REPORT_SECONDS = 5.0  # between progress lines
RETRY_SECONDS = 10.0  # after a failed batch (the database away): the walk resumes
# The columns a search document reads (bot/triage/search.py `documents`).
DOCUMENT_FIELDS = ("number", "title", "service", "type", "description", "stack_trace", "trace_id")


@dataclass
class Progress:
    total: int = 0  # issues in the database when the backfill began
    indexed: int = 0  # of those, with a document (before it, or written by it)
    counted: bool = False  # total and indexed are known
    finished: bool = False


class SearchBackfill:
    def __init__(self, search: SearchIndex, batch: int = BATCH) -> None:
        self.search = search
        self.batch = batch
        self.db: Database = search.db
        self.progress = Progress()
        self.done = 0  # documents this process wrote
        self._stopping = False
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[int] | None = None

    def start(self) -> None:
        self._stopping = False
        self._stopped = asyncio.Event()
        self._task = asyncio.create_task(self._run(), name="firebell-search-backfill")

    def problem(self) -> str | None:
        """For /readyz: None once every issue has a document, else why not, in words."""
        p = self.progress
        if p.finished:
            return None
        if not p.counted:
            return "search index: counting the issues without a search document"
        percent = int(100 * p.indexed / p.total) if p.total else 100
        return (
            f"search index {percent}% built ({p.indexed:,} of {p.total:,} issues); "
            "search misses the rest until it is done"
        )

    async def _run(self) -> int:
        while not self._stopping:
            try:
                return await self._walk()
            except Exception:
                # The database went away mid-walk: the documents written stay, the next
                # try (or the next start) goes on from the issues still without one.
                log.exception("search: building documents failed; retrying")
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), RETRY_SECONDS)
        return self.done

    async def _walk(self) -> int:
        p = self.progress
        if not p.counted:
            p.total, missing = await self.db.run(self._count)
            p.indexed = p.total - missing
            p.counted = True
            if not missing:
                p.finished = True
                return 0
            log.info(
                "search: %d of %d issues have no search document; building them in the "
                "background (/readyz answers 503 until done)",
                missing,
                p.total,
            )
        began = last_report = time.monotonic()
        after = 0
        while not self._stopping:
            documents = await self.db.run(self._read, after)
            if documents:
                added = await self.db.run(self._store, documents)
                self.done += added
                p.indexed = min(p.total, p.indexed + added)
                after = max(documents)
            now = time.monotonic()
            if len(documents) < self.batch:
                p.indexed, p.finished = p.total, True
                log.info(
                    "search: built %d search documents in %.1f s; search covers every issue",
                    self.done,
                    now - began,
                )
                return self.done
            if now - last_report >= REPORT_SECONDS:
                last_report = now
                self._report(now - began)
        return self.done

    def _report(self, took: float) -> None:
        p = self.progress
        rate = self.done / took if took > 0 else 0.0
        left = (p.total - p.indexed) / rate if rate > 0 else float("inf")
        log.info(
            "search: %d/%d issues indexed (%d%%), %.0f issues/s, about %.0f s left",
            p.indexed,
            p.total,
            int(100 * p.indexed / p.total) if p.total else 100,
            rate,
            left,
        )

    def _count(self) -> tuple[int, int]:
        """(issues, issues without a document), in one read."""
        key = "issue_id" if self.search.postgres else "rowid"
        with self.db.session() as session:
            total = session.exec(select(func.count()).select_from(Issue)).one()
            missing = session.execute(
                text(
                    "SELECT count(*) FROM issues WHERE NOT EXISTS (SELECT 1 FROM issue_search "
                    f"WHERE issue_search.{key} = issues.id)"
                )
            ).scalar()
        return int(total), int(missing or 0)

    def _read(self, after: int) -> dict[int, str]:
        """The next batch's documents, read only (no write lock on SQLite)."""
        with self.db.session() as session:
            ids = self.search.missing(session, after, self.batch)
            if not ids:
                return {}
            fields = [getattr(Issue, name) for name in DOCUMENT_FIELDS]
            query = select(Issue).where(col(Issue.id).in_(ids)).options(load_only(*fields))
            issues = list(session.exec(query))
            return documents(session, issues)

    def _store(self, documents: dict[int, str]) -> int:
        with self.db.session() as session:
            return self.search.add_missing(session, documents)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop between batches; what is left is built at the next start."""
        if self._task is None:
            return
        self._stopping = True
        self._stopped.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        self._task = None

    async def finished(self) -> int:
        """Wait for the backfill (tests and the demo): the documents this process wrote."""
        return await self._task if self._task is not None else 0
