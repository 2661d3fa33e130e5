"""APScheduler (3.x) jobs. They only call services; all state lives in the database."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime

log = logging.getLogger(__name__)


async def tick(runtime: Runtime) -> None:
    """Fire what is due; a failed tick is logged and the next one tries again."""
    try:
        result = runtime.engine.tick()
        runtime.digest.run_if_due()
        runtime.followups.remind()
    except Exception:
        log.exception("SLA tick failed")
        return
    if result.anything:
        log.info("SLA tick: %s", result)
    runtime.worker.kick()


def start_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=runtime.config.tick_seconds,
        args=[runtime],
        id="sla-tick",
        max_instances=1,
        coalesce=True,
        # The first tick runs at once: what fell due while nobody ran fires now.
        next_run_time=datetime.now(UTC),
    )
    scheduler.start()
    return scheduler
