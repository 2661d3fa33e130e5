"""Issues filed before search existed get their search documents after the server is
up, in a thread, a batch at a time: on a large database this took a minute, and run
inside create_app it kept /healthz silent long enough for a liveness probe to kill
the process on upgrade day (issue 20)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time

from bot.triage.search import SearchIndex

log = logging.getLogger(__name__)

BATCH = 200  # one transaction each: SQLite's write lock is held a batch at a time
REPORT_EVERY = 10  # batches between progress lines


class SearchBackfill:
    def __init__(self, search: SearchIndex) -> None:
        self.search = search
        self._stopping = threading.Event()
        self._task: asyncio.Task[int] | None = None
        self.done = 0  # issues indexed so far by this process

    def start(self) -> None:
        self._stopping.clear()
        self._task = asyncio.create_task(self._run(), name="firebell-search-backfill")

    async def _run(self) -> int:
        began = time.perf_counter()
        try:
            done = await asyncio.to_thread(
                self.search.reindex_missing, BATCH, self._stopping.is_set, self._progress
            )
        except Exception:
            # Search misses these issues until the next start tries again; nothing else
            # depends on it, so the process keeps serving.
            log.exception("indexing issues filed before search existed failed")
            return self.done
        if done:
            took = time.perf_counter() - began
            log.info("search: indexed %d issues filed before search existed (%.1f s)", done, took)
        return done

    def _progress(self, done: int, batches: int) -> None:
        self.done = done
        if batches % REPORT_EVERY == 0:
            log.info("search: indexed %d issues filed before search existed so far", done)

    async def stop(self, grace: float = 2.0) -> None:
        """Stop between batches; what is left is indexed at the next start."""
        if self._task is None:
            return
        self._stopping.set()
        with contextlib.suppress(TimeoutError, asyncio.CancelledError):
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        self._task = None

    async def finished(self) -> int:
        """Wait for the backfill (tests and the demo)."""
        return await self._task if self._task is not None else 0
