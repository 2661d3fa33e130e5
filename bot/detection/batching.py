"""Group commit for webhooks, off the event loop: requests that arrive together share
one transaction, stored in the database's threads (storage/db.py).

Each request waits for its batch to commit before it is answered, so a 202 still
means stored. One batch is stored at a time; requests that arrive meanwhile wait
and go together in the next one. The batch runs in `Intake.store` (transactions of
a few hundred alerts, so SQLite writers on the loop never wait long for the lock).
When the database's queue is full the request is refused with DatabaseBusy (the
route answers 503 with Retry-After) before anything of it is stored.
"""

from __future__ import annotations

import asyncio
import contextvars

from bot.detection.alerts import Alert
from bot.detection.intake import Intake, Outcome
from storage.db import MAX_WAITING, DatabaseBusy

# Alerts waiting for the batch under way before new requests are refused (503): a
# few seconds' worth at the storm's rate.
MAX_WAITING_ALERTS = 20_000


class IntakeBatcher:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._pending: list[tuple[list[Alert], asyncio.Future[list[Outcome]]]] = []
        self._waiting_alerts = 0
        self._task: asyncio.Task[None] | None = None

    async def submit(self, alerts: list[Alert]) -> list[Outcome]:
        """The request's outcomes once stored; DatabaseBusy if it cannot be taken now."""
        if self.intake.db.waiting >= MAX_WAITING or (
            self._pending and self._waiting_alerts + len(alerts) > MAX_WAITING_ALERTS
        ):
            raise DatabaseBusy()
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        self._pending.append((alerts, future))
        self._waiting_alerts += len(alerts)
        if self._task is None:
            self._task = asyncio.create_task(self._drain(), name="firebell-intake")
        return await future

    async def _drain(self) -> None:
        try:
            while self._pending:
                # One turn of the loop first: every request already read joins this batch.
                await asyncio.sleep(0)
                batch, self._pending = self._pending, []
                self._waiting_alerts -= sum(len(alerts) for alerts, _ in batch)
                await self._store(batch)
        finally:
            self._task = None

    async def _store(self, batch: list[tuple[list[Alert], asyncio.Future[list[Outcome]]]]) -> None:
        requests = [alerts for alerts, _ in batch]
        # The log context (webhook source) goes along into the database's thread.
        context = contextvars.copy_context()
        try:
            results = await self.intake.db.run_unless_busy(context.run, self.intake.store, requests)
        except BaseException as exc:  # DatabaseBusy (nothing stored), or cancelled
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc if isinstance(exc, Exception) else DatabaseBusy())
            if not isinstance(exc, Exception):
                raise
            return
        for (_, future), result in zip(batch, results, strict=True):
            if future.done():
                continue
            if isinstance(result, Exception):
                future.set_exception(result)
            else:
                future.set_result(result)
