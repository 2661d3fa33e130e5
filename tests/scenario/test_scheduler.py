"""The scheduler: one list of jobs, each isolated and timed alike."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from tests.helpers import channel_of, file_report
from tests.scenario.test_sla_escalation import OnCall, fresh_issue, oc, texts

__all__ = ["oc"]  # the on-call fixture, shared with the SLA tests


async def test_the_scheduler_runs_the_one_tick_list(oc: OnCall, clock: FakeClock) -> None:
    from bot.scheduler import build_scheduler, periodic_jobs

    h = oc.h
    await file_report(h, oc.dana, oc.support)
    clock.advance(minutes=12)
    scheduler = build_scheduler(h.firebell.runtime)  # not started: we run its job ourselves
    job = scheduler.get_job("tick")
    assert job is not None and job.trigger.interval.total_seconds() == 5.0
    await job.func(*job.args)  # exactly what APScheduler runs every tick_seconds
    await h.firebell.settle()
    warnings = [t for t in texts(h, channel_of(h, fresh_issue(h))) if "runs out in" in t]
    assert len(warnings) == 1
    names = [job.name for job in periodic_jobs(h.firebell.runtime)]
    assert names == ["sla and escalation", "weekly digest", "follow-up reminders"]
    await job.func(*job.args)
    await h.firebell.settle()
    assert [t for t in texts(h, channel_of(h, fresh_issue(h))) if "runs out in" in t] == warnings


async def test_a_failing_job_is_logged_counted_and_does_not_skip_the_others(
    oc: OnCall, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    """The weekly digest raising must not stop the reminders after it (nor the next
    tick's escalations); every job is timed alike."""
    from bot.scheduler import JobFailed, run_jobs

    h = oc.h
    runtime = h.firebell.runtime
    await file_report(h, oc.dana, oc.support)

    def broken_digest() -> bool:
        raise RuntimeError("the digest's database went away")

    runtime.digest.run_if_due = broken_digest  # type: ignore[method-assign]
    results = run_jobs(runtime)
    assert results["weekly digest"] == JobFailed("RuntimeError")
    assert results["follow-up reminders"] == 0  # still ran, after the failure
    assert "scheduled job 'weekly digest' failed" in caplog.text
    scrape = runtime.metrics.exposition().decode()
    assert 'firebell_scheduler_job_failures_total{job="weekly digest"} 1.0' in scrape
    for job in ("sla and escalation", "weekly digest", "follow-up reminders"):
        assert f'firebell_scheduler_job_seconds_count{{job="{job}"}} 1.0' in scrape
    clock.advance(minutes=12)
    await h.firebell.tick()  # the next tick runs the SLA clock as if nothing happened
    assert any("runs out in" in t for t in texts(h, channel_of(h, fresh_issue(h))))


async def test_stopping_during_a_tick_logs_no_failure(
    oc: OnCall, caplog: pytest.LogCaptureFixture
) -> None:
    """SIGTERM while a tick runs cancelled its task, and APScheduler logged that as a
    failed job with a traceback (a loaded CI run caught it)."""
    import asyncio
    import threading

    from bot.scheduler import start_scheduler

    caplog.set_level("INFO", "bot.scheduler")
    runtime = oc.h.firebell.runtime
    entered, release = threading.Event(), threading.Event()

    def slow_digest() -> bool:
        entered.set()
        release.wait(10)
        return False

    runtime.digest.run_if_due = slow_digest  # type: ignore[method-assign]
    scheduler = start_scheduler(runtime)  # its first tick runs at once
    try:
        assert await asyncio.to_thread(entered.wait, 10)
        scheduler.shutdown(wait=False)
        [running] = [t for t in asyncio.all_tasks() if "run_coroutine_job" in repr(t)]
        running.cancel()  # what the event loop's shutdown does to every task left
        await asyncio.gather(running, return_exceptions=True)
    finally:
        release.set()
    assert not [r for r in caplog.records if r.levelno >= 40], caplog.text
    assert "tick in flight ends in its database thread" in caplog.text


async def test_a_late_tick_still_runs(oc: OnCall, caplog: pytest.LogCaptureFixture) -> None:
    """APScheduler's default grace of 1 s skipped a tick that started late on a loaded
    machine, with a warning; a late SLA sweep is still worth running."""
    import asyncio
    import threading
    import time

    from bot.scheduler import start_scheduler

    runtime = oc.h.firebell.runtime
    ran = threading.Event()

    def digest() -> bool:
        ran.set()
        return False

    runtime.digest.run_if_due = digest  # type: ignore[method-assign]
    scheduler = start_scheduler(runtime)  # its first tick is due at once
    try:
        time.sleep(1.5)  # noqa: ASYNC251 (the event loop held up, as on a loaded machine)
        assert await asyncio.to_thread(ran.wait, 10)
    finally:
        scheduler.shutdown(wait=False)
    assert "was missed" not in caplog.text
