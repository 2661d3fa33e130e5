"""Group commit for webhooks: requests that arrive together share one transaction.

Each request waits for its batch to commit before it is answered, so a 202
still means stored. If a batch fails, its requests are retried one by one,
so one request's failure never takes others with it.
"""

from __future__ import annotations

import asyncio
import logging

from bot.detection.alerts import Alert
from bot.detection.intake import Intake, Outcome

log = logging.getLogger(__name__)

MAX_BATCH = 200


class IntakeBatcher:
    def __init__(self, intake: Intake) -> None:
        self.intake = intake
        self._pending: list[tuple[list[Alert], asyncio.Future[list[Outcome]]]] = []
        self._scheduled = False

    async def submit(self, alerts: list[Alert]) -> list[Outcome]:
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        self._pending.append((alerts, future))
        if len(self._pending) >= MAX_BATCH:
            self._flush()
        elif not self._scheduled:
            # Flush on the loop's next turn: every request already read joins this batch.
            self._scheduled = True
            asyncio.get_running_loop().call_soon(self._flush)
        return await future

    def _flush(self) -> None:
        self._scheduled = False
        batch, self._pending = self._pending, []
        if not batch:
            return
        try:
            results = self.intake.ingest_batch([alerts for alerts, _ in batch])
        except Exception:
            log.warning(
                "a batch of %s webhook requests failed; storing them one by one",
                len(batch),
                exc_info=True,
            )
            for alerts, future in batch:
                self._settle_one(alerts, future)
            return
        for (_alerts, future), outcomes in zip(batch, results, strict=True):
            if not future.done():
                future.set_result(outcomes)

    def _settle_one(self, alerts: list[Alert], future: asyncio.Future[list[Outcome]]) -> None:
        try:
            outcomes = self.intake.ingest(alerts)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
            return
        if not future.done():
            future.set_result(outcomes)
