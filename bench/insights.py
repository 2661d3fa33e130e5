"""How fast the insights answer at scale: GET /api/v1/stats for 90 days and a /metrics
scrape, over HTTP on loopback.

Fixture: a team files 10 issues a day, so the last 90 days hold the same ~900
issues whether the history holds 1k issues or 100k (27 years of it): the figure
shows that the size of the history does not slow the answer (the figures read the
period through indexes and the rollups written at each change, never the whole
table or the timeline). Each issue has 10 timeline events (1M at 100k), its
rollup row, two SLA clocks (a few breached), and most are closed; a few hundred
are open. Three deploys a day over a few services, some followed by an issue;
two pages a day; a follow-up for one issue in ten.

Targets: stats for 90 days <= 200 ms at 100k issues and <= 3x the time at 1k; a
/metrics scrape <= 50 ms at 100k. Medians of 15 requests after a warm-up.

The app is the real routes (add_api_routes, add_metrics_routes) on an aiohttp
server without Slack: the endpoints read only the database.

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL (in a
database of its own, firebell_bench_insights, dropped and created).
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bot.core.clock import FakeClock  # noqa: E402
from bot.insights.api import add_api_routes  # noqa: E402
from bot.insights.config import ApiConfig, MetricsConfig  # noqa: E402
from bot.insights.metrics import Metrics, add_metrics_routes  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import (  # noqa: E402
    Deploy,
    FollowUp,
    Issue,
    IssueMetrics,
    PageSent,
    SlaClock,
    TimelineEvent,
)

NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
PER_DAY = 10
SIZES = (1_000, 100_000)
TOKEN = "bench-token-0123456789"
TARGET_STATS_MS, TARGET_RATIO, TARGET_SCRAPE_MS = 200.0, 3.0, 50.0
SERVICES = ("checkout-api", "search-api", "auth-service", "billing", "web-frontend")
CHUNK = 5_000


def fresh_database(url: str | None) -> Database:
    if not url:
        return Database(f"sqlite:///{tempfile.mkdtemp(prefix='firebell-insights-')}/bench.db")
    base = make_url(normalise_url(url))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text('DROP DATABASE IF EXISTS "firebell_bench_insights" WITH (FORCE)'))
        conn.execute(text('CREATE DATABASE "firebell_bench_insights"'))
    admin.dispose()
    return Database(
        base.set(database="firebell_bench_insights").render_as_string(hide_password=False)
    )


def seed(
    db: Database,
    first: int,
    count: int,
    title: Callable[[int], str] = "Issue {}".format,
    number: Callable[[int], int] = int,
) -> None:
    """Issues `first`..`first+count-1`, issue n filed n/10 days before the newest
    (bench/scale.py gives them titles of words to search for, and numbers that grow
    with time as real ones do)."""
    rng = random.Random(first)
    for start in range(first, first + count, CHUNK):
        numbers = range(start, min(start + CHUNK, first + count))
        issues, deploys = [], []
        for n in numbers:
            filed = NOW - timedelta(days=n / PER_DAY, minutes=rng.randint(0, 60))
            closed = n > 300  # the newest 300 are still open
            issues.append(
                {
                    "number": number(n),
                    "idempotency_key": f"bench-{n}",
                    "title": title(n),
                    "type": rng.choice(("outage", "bug", "performance")),
                    "severity": rng.choice(("critical", "major", "minor", "trivial")),
                    "service": rng.choice(SERVICES),
                    "private": n % 17 == 0,
                    "reporter_id": "alertmanager" if n % 3 == 0 else f"U{n % 40:05d}",
                    "status": "closed" if closed else "assigned",
                    "phase": "analysis" if closed else "response",
                    "created_at": filed,
                    "acknowledged_at": filed + timedelta(minutes=rng.randint(1, 90)),
                    "fixed_at": filed + timedelta(hours=rng.randint(1, 48)) if closed else None,
                    "deployed_at": filed + timedelta(hours=rng.randint(49, 96)) if closed else None,
                    "closed_at": filed + timedelta(hours=100) if closed else None,
                    "reporter_updates": True,
                    "occurrences": 1,
                    "exclude_from_metrics": n % 50 == 0,
                }
            )
            if n % PER_DAY < 3:
                deploys.append(
                    {
                        "service": rng.choice(SERVICES),
                        "version": f"v{n}",
                        "environment": "production",
                        "deployed_at": filed - timedelta(minutes=30),
                        "fixes": [],
                        "received_at": filed,
                    }
                )
        with db.session() as session:
            before = session.execute(select(func.max(Issue.id))).scalar() or 0
            session.execute(insert(Issue), issues)
            session.execute(insert(Deploy), deploys)
            rows = session.execute(
                select(Issue.id, Issue.created_at, Issue.status).where(Issue.id > before)
            ).all()
            versions = {
                v: i
                for i, v in session.execute(
                    select(Deploy.id, Deploy.version).where(
                        Deploy.version.in_([d["version"] for d in deploys])
                    )
                ).all()
            }
            suspects = list(versions.values())
            events, metrics, clocks, pages, followups = [], [], [], [], []
            for issue_id, filed, status in rows:
                for k in range(10):
                    events.append(
                        {
                            "issue_id": issue_id,
                            "at": filed + timedelta(minutes=k),
                            "actor_id": "U00001",
                            "kind": "status_update" if k % 3 else "status_changed",
                            "payload": {"text": f"step {k}"},
                        }
                    )
                metrics.append(
                    {
                        "issue_id": issue_id,
                        "status_since": filed + timedelta(hours=100),
                        "seconds_new": 600.0,
                        "seconds_assigned": 3600.0,
                        "seconds_revise": 1800.0,
                        "seconds_retest": 900.0,
                        "seconds_fixed": 7200.0,
                        "reopens": 1 if issue_id % 23 == 0 else 0,
                        "retest_revise_loops": 1 if issue_id % 11 == 0 else 0,
                        "suspect_deploy_id": rng.choice(suspects)
                        if suspects and issue_id % 4 == 0
                        else None,
                    }
                )
                for kind in ("acknowledge", "resolve"):
                    due = filed + timedelta(hours=1)
                    clocks.append(
                        {
                            "issue_id": issue_id,
                            "kind": kind,
                            "started_at": filed,
                            "warn_at": due,
                            "escalate_at": due,
                            "due_at": due,
                            "stopped_at": filed + timedelta(minutes=30),
                            "breached_at": due if issue_id % 9 == 0 else None,
                        }
                    )
                if issue_id % 5 == 0:
                    pages.append(
                        {
                            "issue_id": issue_id,
                            "target_kind": "user",
                            "target": f"U{issue_id % 7:05d}",
                            "user_id": f"U{issue_id % 7:05d}",
                            "schedule": "primary",
                            "at": filed + timedelta(minutes=13),
                            "hours": ("business", "off", "sleep")[issue_id % 3],
                        }
                    )
                if issue_id % 10 == 0:
                    followups.append(
                        {
                            "issue_id": issue_id,
                            "title": "Add a canary",
                            "due_on": (filed + timedelta(days=14)).date(),
                            "priority": "medium",
                            "status": "done" if status == "closed" else "open",
                            "created_at": filed + timedelta(days=1),
                            "done_at": filed + timedelta(days=10) if status == "closed" else None,
                        }
                    )
            for table, rows_of in (
                (TimelineEvent, events),
                (IssueMetrics, metrics),
                (SlaClock, clocks),
                (PageSent, pages),
                (FollowUp, followups),
            ):
                if rows_of:
                    session.execute(insert(table), rows_of)
    if db.is_postgres:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))


async def timed(url: str, headers: dict[str, str], check: Any, rounds: int = 15) -> float:
    times = []
    async with aiohttp.ClientSession() as http:
        for i in range(rounds + 2):
            started = time.perf_counter()
            async with http.get(url, headers=headers) as response:
                body = await response.read()
                assert response.status == 200, body[:300]
            if i >= 2:  # two warm-ups
                times.append((time.perf_counter() - started) * 1000)
            check(body)
    return statistics.median(times)


async def measure(db: Database, expected_filed: int) -> tuple[float, float]:
    clock = FakeClock(NOW)
    app = web.Application()
    add_api_routes(app, db, clock, ApiConfig.model_validate({"tokens": {"b": {"token": TOKEN}}}))
    add_metrics_routes(app, Metrics(db, MetricsConfig(), webhook_sources=()))
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    since = (NOW - timedelta(days=90)).date().isoformat()
    until = NOW.date().isoformat()

    def stats_ok(body: bytes) -> None:
        import json

        filed = json.loads(body)["issues"]["filed"]
        assert abs(filed - expected_filed) <= expected_filed * 0.03 + 2, (filed, expected_filed)

    def metrics_ok(body: bytes) -> None:
        assert b"firebell_issues_open" in body

    try:
        stats_ms = await timed(
            f"http://{host}:{port}/api/v1/stats?since={since}&until={until}",
            {"Authorization": f"Bearer {TOKEN}"},
            stats_ok,
        )
        scrape_ms = await timed(f"http://{host}:{port}/metrics", {}, metrics_ok)
    finally:
        await runner.cleanup()
    return stats_ms, scrape_ms


def main() -> int:
    db = fresh_database(os.environ.get("BENCH_DATABASE_URL"))
    upgrade(db)
    name = db.engine.dialect.name
    # Issues filed in the 90 days, drills (every 50th) left out: 90 days x 10 a day.
    in_window = sum(1 for n in range(1, 90 * PER_DAY + 1) if n % 50)
    results: dict[int, tuple[float, float]] = {}
    have = 0
    for size in SIZES:
        started = time.perf_counter()
        seed(db, have + 1, size - have)
        have = size
        print(f"insights ({name}): {size:,} issues seeded in {time.perf_counter() - started:.0f} s")
        results[size] = asyncio.run(measure(db, in_window))
    (small, _), (big, scrape) = results[SIZES[0]], results[SIZES[-1]]
    ratio = big / small
    stats_ok = big <= TARGET_STATS_MS and ratio <= TARGET_RATIO
    print(
        f"insights ({name}): /api/v1/stats 90 days  1k: {small:.1f} ms  100k: {big:.1f} ms  "
        f"ratio {ratio:.2f} (targets <= {TARGET_STATS_MS:.0f} ms, <= {TARGET_RATIO:.0f}x): "
        f"{'met' if stats_ok else 'MISSED'}"
    )
    scrape_ok = scrape <= TARGET_SCRAPE_MS
    print(
        f"insights ({name}): /metrics scrape at 100k: {scrape:.1f} ms "
        f"(1k: {results[SIZES[0]][1]:.1f} ms; target <= {TARGET_SCRAPE_MS:.0f} ms): "
        f"{'met' if scrape_ok else 'MISSED'}"
    )
    db.dispose()
    return 0 if stats_ok and scrape_ok else 1


if __name__ == "__main__":
    sys.exit(main())
