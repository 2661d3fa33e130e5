"""The one list of periodic work, run by APScheduler (3.x) and by Firebell.tick().

Jobs only call services; all their state lives in the database. They run in the
database's threads and touch no asyncio object there (what they enqueue wakes the
outbox through its thread-safe kick; metrics are thread-safe), and one tick runs at
a time in a process: a tick that comes while another runs waits for it. Every job is
run alike: timed into `firebell_scheduler_job_seconds{job}`, and isolated, so a
job that raises is logged (and counted) while the jobs after it still run.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from bot.serving.runtime import Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Job:
    name: str  # the `job` label on /metrics and the word in the log
    run: Callable[[], object]


SLA_JOB = "sla and escalation"


def periodic_jobs(runtime: Runtime) -> list[Job]:
    """Every tick runs these, in this order: SLA and escalation, the digest, reminders."""
    return [
        Job(SLA_JOB, runtime.engine.tick),
        Job("weekly digest", runtime.digest.run_if_due),
        Job("follow-up reminders", runtime.followups.remind),
    ]


@dataclass(frozen=True)
class JobFailed:
    """What a job that raised leaves in the tick's results (its error is in the log)."""

    error: str


# One tick at a time in this process: APScheduler's max_instances covers its own job,
# this covers Firebell.tick() (the demo, the tests) beside it.
_ONE_TICK = threading.Lock()


def run_jobs(runtime: Runtime) -> dict[str, object]:
    """One tick: each job's result by name, or JobFailed for a job that raised."""
    with _ONE_TICK:
        return _run_jobs(runtime)


def _run_jobs(runtime: Runtime) -> dict[str, object]:
    results: dict[str, object] = {}
    for job in periodic_jobs(runtime):
        started = time.perf_counter()
        try:
            results[job.name] = job.run()
        except Exception as exc:
            # One broken job must not starve the others (the digest failing must not
            # stop escalations); the next tick tries it again.
            log.exception("scheduled job %r failed", job.name)
            results[job.name] = JobFailed(type(exc).__name__)
            runtime.metrics.job_failed(job.name)
        finally:
            runtime.metrics.job_took(job.name, time.perf_counter() - started)
    return results


async def tick(runtime: Runtime) -> None:
    """The scheduler's job: run every job; what failed is logged and tried next tick.
    The jobs run in the database's threads: a sweep with a thousand issues due must
    not hold up a Slack ack."""
    try:
        results = await runtime.db.run(run_jobs, runtime)
    except asyncio.CancelledError:
        # Shutdown cancels the tick in flight. Its jobs run on in their database thread,
        # and what they leave undone is due again at the next start, so this is no
        # failure; APScheduler would log the cancellation as one, with a traceback.
        log.info("stopping: the scheduler's tick in flight ends in its database thread")
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
        # However late a tick starts (a loaded machine, a long tick before it), it runs:
        # APScheduler's default grace of 1 s would skip it and log a warning instead.
        misfire_grace_time=None,
        # The first tick runs at once: what fell due while nobody ran fires now.
        next_run_time=datetime.now(UTC),
    )
    return scheduler


def start_scheduler(runtime: Runtime) -> AsyncIOScheduler:
    scheduler = build_scheduler(runtime)
    scheduler.start()
    return scheduler
