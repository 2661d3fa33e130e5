"""The one list of periodic work, run by APScheduler (3.x) and by Firebell.tick().

Jobs only call services; all their state lives in the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.runtime import Runtime

log = logging.getLogger(__name__)


SLA_JOB = "sla and escalation"


def periodic_jobs(runtime: Runtime) -> list[tuple[str, Callable[[], object]]]:
    """Every tick runs these, in this order: SLA and escalation, the digest, reminders."""
    return [
        (SLA_JOB, runtime.engine.tick),
        ("weekly digest", runtime.digest.run_if_due),
        ("follow-up reminders", runtime.followups.remind),
    ]


def run_jobs(runtime: Runtime) -> dict[str, object]:
    """One tick: each job's result by name (the SLA engine's duration goes to /metrics)."""
    results: dict[str, object] = {}
    for name, job in periodic_jobs(runtime):
        started = time.perf_counter()
        results[name] = job()
        if name == SLA_JOB:
            runtime.metrics.tick_took(time.perf_counter() - started)
    return results


async def tick(runtime: Runtime) -> None:
    """The scheduler's job: a failed tick is logged and the next one tries again."""
    try:
        results = run_jobs(runtime)
    except Exception:
        log.exception("tick failed")
        return
    sla = results[SLA_JOB]
    if getattr(sla, "anything", False):
        log.info("SLA tick: %s", sla)


def build_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    """The scheduler with its one job, not yet started."""
    scheduler = AsyncIOScheduler(timezone="UTC")
    scheduler.add_job(
        tick,
        "interval",
        seconds=runtime.config.tick_seconds,
        args=[runtime],
        id="tick",
        max_instances=1,
        coalesce=True,
        # The first tick runs at once: what fell due while nobody ran fires now.
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def start_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    scheduler = build_scheduler(runtime)
    scheduler.start()
    return scheduler
