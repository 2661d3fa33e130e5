"""Work that runs after Slack has its ack (opening a modal, answering a mention).

Bolt's lazy listeners would do this, but they deep-copy every request, and the
per-request Web client carries our pooled aiohttp session, which cannot be
copied. A tracked task set does the same job and can be drained on shutdown.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine
from typing import Any

from bot.core.errors import new_error_id

log = logging.getLogger(__name__)


class BackgroundTasks:
    def __init__(self) -> None:
        self._tasks: set[asyncio.Task[Any]] = set()

    def spawn(self, work: Coroutine[Any, Any, Any], name: str) -> None:
        task = asyncio.get_running_loop().create_task(work, name=name)
        self._tasks.add(task)
        task.add_done_callback(self._done)

    def _done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error(
                "background task %s failed, error id %s",
                task.get_name(),
                new_error_id(),
                exc_info=task.exception(),
            )

    async def drain(self, timeout: float | None = None) -> None:
        """Wait for all running work, including work it starts; with a timeout (at
        shutdown), cancel what is still running then (a model draft can take a minute)."""
        try:
            await asyncio.wait_for(self._drain(), timeout)
        except TimeoutError:
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _drain(self) -> None:
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
