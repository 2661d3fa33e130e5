"""How late the event loop wakes: the one sign that something blocked it.

A task sleeps 10 ms again and again and records how much later than asked it
woke. Anything synchronous on the loop (a query, a big JSON parse) shows here as
lag, and every Slack ack and `/healthz` waits that long too. Exported as
`firebell_event_loop_lag_seconds` (a histogram) with the worst lag seen.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable

INTERVAL_SECONDS = 0.010


class LoopLagMonitor:
    def __init__(self, record: Callable[[float], None]) -> None:
        self._record = record
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._watch(), name="firebell-loop-lag"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _watch(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(INTERVAL_SECONDS)
            self._record(max(0.0, time.perf_counter() - asked - INTERVAL_SECONDS))
