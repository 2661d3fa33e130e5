"""Escalation sweep cost per due issue, on SQLite and on PostgreSQL (issue 20, target 4).

Each due issue is a critical issue whose acknowledge clock breached an hour ago
under a one-step policy paging a person: one tick breaches it (ledger row,
timeline events, notice, card refresh, escalation started) and pages it (ledger
row, page, page log, invite). Printed per database:
- ms per due issue: a tick over 100 due among 10k open, median of 3; target
  <= 1 ms on SQLite, <= 2 ms on PostgreSQL;
- 1,000 breaching in one tick: the tick's time; target <= 1 s;
- beside each, the reference measured in the same run on the same database: a
  bare loop doing one plain UPDATE (by primary key) of each due issue's clock,
  committed every 200 rows as the sweep commits its batches. That is the floor of
  any sweep that marks each due row done; the ratio says how many such floors a
  due issue costs, and cancels most of a shared machine's noise.
- flatness: 100 due among 1k and 100k open (target 100k/1k <= 2), and the peak
  RSS of a process that sweeps with 100k open (target <= 200 MB), with
  BENCH_SWEEP_SCALE=1 (building 100k issues takes a while).

SQLite always; PostgreSQL at BENCH_DATABASE_URL, else at the local server
(postgresql+psycopg://postgres@127.0.0.1:5432/test) when it answers, in a
database of its own (firebell_bench_sweep, dropped and created).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import bindparam, create_engine, text, update  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from sqlmodel import col, select  # noqa: E402

from bench.fixtures import seed  # noqa: E402
from bot.config import FirebellConfig  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.sla.engine import Engine  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import SlaClock  # noqa: E402

DUE = 100
STORM = 1_000
OPEN = 10_000
SIZES = (1_000, 100_000)
TARGET_MS = {"sqlite": 1.0, "postgresql": 2.0}
TARGET_STORM_S = 1.0
TARGET_RATIO = 2.0
TARGET_RSS_MB = 200
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PG_NAME = "firebell_bench_sweep"
CONFIG = FirebellConfig(
    escalation_policies=[
        {"name": "default", "steps": [{"targets": [{"user": "UONCALL"}], "wait": "10m"}]}
    ]
)


def timed_sweep(db: Database, clock: FakeClock, due: int = DUE) -> float:
    engine = Engine(db, clock, CONFIG)
    started = time.perf_counter()
    result = engine.tick()
    elapsed = time.perf_counter() - started
    if result.breaches != due or result.steps != due:
        raise RuntimeError(
            f"expected {due} breaches and pages, the sweep found "
            f"{result.breaches} and {result.steps}"
        )
    return elapsed


def due_clock_ids(db: Database, clock: FakeClock) -> list[int]:
    with db.session() as session:
        return list(
            session.exec(
                select(SlaClock.id).where(col(SlaClock.next_check_at) <= clock.now())
            ).all()
        )


def timed_reference(db: Database, clock: FakeClock) -> tuple[float, int]:
    """The floor: one plain UPDATE per due clock by id, a commit per 200. Seeds its own
    due rows, times the loop, then leaves them as they were (due) for the sweep."""
    ids = [i for i in due_clock_ids(db, clock) if i is not None]
    stmt = (
        update(SlaClock).where(col(SlaClock.id) == bindparam("clock_id")).values(next_check_at=None)
    )
    started = time.perf_counter()
    with db.engine.connect() as conn:
        for first in range(0, len(ids), 200):
            with conn.begin():
                for clock_id in ids[first : first + 200]:
                    conn.execute(stmt, {"clock_id": clock_id})
    elapsed = time.perf_counter() - started
    with db.session() as session:  # due again, for the sweep that follows
        session.execute(
            update(SlaClock).where(col(SlaClock.id).in_(ids)).values(next_check_at=SlaClock.warn_at)
        )
    return elapsed, len(ids)


def child_rss(url: str) -> float:
    """Run one sweep with 100 due in a fresh process; return its peak RSS in MB."""
    code = (
        f"import resource, sys; sys.path.insert(0, {str(ROOT)!r})\n"
        "from bench.escalation_sweep import timed_sweep\n"
        "from bot.core.clock import FakeClock\nfrom storage.db import Database\n"
        f"db = Database({url!r}); clock = FakeClock()\n"
        "timed_sweep(db, clock)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def pg_url() -> str | None:
    url = os.environ.get("BENCH_DATABASE_URL") or PG_DEFAULT
    base = make_url(normalise_url(url))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{PG_NAME}"'))
    except Exception as exc:  # no server: say so, bench SQLite alone
        if os.environ.get("BENCH_DATABASE_URL"):
            raise
        print(f"PostgreSQL skipped: no server at {PG_DEFAULT} ({type(exc).__name__})")
        return None
    finally:
        admin.dispose()
    return base.set(database=PG_NAME).render_as_string(hide_password=False)


def drop_pg(url: str) -> None:
    admin = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{PG_NAME}" WITH (FORCE)'))
    admin.dispose()


def per_issue(db: Database, clock: FakeClock) -> bool:
    """The headline figures; True when both targets are met."""
    name = db.engine.dialect.name
    seed(db, clock, OPEN, due=False)
    sweeps, floors = [], []
    for _ in range(3):  # three sweeps, each over 100 freshly due issues
        seed(db, clock, DUE, due=True)
        floor, count = timed_reference(db, clock)
        assert count == DUE
        floors.append(floor)
        sweeps.append(timed_sweep(db, clock))
    ms = statistics.median(sweeps) / DUE * 1000
    floor_ms = statistics.median(floors) / DUE * 1000
    target = TARGET_MS[name]
    verdict = "meets" if ms <= target else "MISSES"
    print(
        f"  {DUE} due among {OPEN:,} open: {ms:.2f} ms per due issue (median of 3); "
        f"reference {floor_ms:.3f} ms (one UPDATE per issue): {ms / floor_ms:.1f}x; "
        f"{verdict} the target <= {target:g} ms"
    )
    seed(db, clock, STORM, due=True)
    floor, _count = timed_reference(db, clock)
    storm = timed_sweep(db, clock, STORM)
    verdict = "meets" if storm <= TARGET_STORM_S else "MISSES"
    print(
        f"  {STORM:,} breaching in one tick: {storm * 1000:.0f} ms "
        f"({storm / STORM * 1000:.2f} ms each); reference {floor * 1000:.0f} ms: "
        f"{storm / floor:.1f}x; {verdict} the target <= {TARGET_STORM_S:g} s"
    )
    return ms <= target and storm <= TARGET_STORM_S


def flatness(url: str) -> None:
    db = Database(url)
    upgrade(db)
    clock = FakeClock()
    times: dict[int, float] = {}
    open_now = 0
    for size in SIZES:
        seed(db, clock, size - open_now - DUE, due=False)
        runs = []
        for _ in range(3):
            seed(db, clock, DUE, due=True)
            runs.append(timed_sweep(db, clock))
        open_now = size + 2 * DUE  # swept issues stay open (breached, escalating)
        times[size] = statistics.median(runs)
        print(f"  {size:>7,} open: sweep of {DUE} due {times[size] * 1000:7.1f} ms (median of 3)")
    seed(db, clock, DUE, due=True)
    rss = child_rss(url)
    ratio = times[SIZES[-1]] / times[SIZES[0]]
    verdict = "meets" if ratio <= TARGET_RATIO else "MISSES"
    print(f"  100k/1k ratio: {ratio:.2f} ({verdict} the target <= {TARGET_RATIO})")
    rss_verdict = "meets" if rss <= TARGET_RSS_MB else "MISSES"
    print(
        f"  peak RSS of a sweep with 100k open: {rss:.0f} MB "
        f"({rss_verdict} the target <= {TARGET_RSS_MB} MB)"
    )
    db.dispose()


def main() -> int:
    urls = [f"sqlite:///{tempfile.mkdtemp(prefix='firebell-sweep-')}/sweep.db"]
    pg = pg_url()
    if pg:
        urls.append(pg)
    scale = os.environ.get("BENCH_SWEEP_SCALE") == "1"
    for url in urls:
        db = Database(url)
        upgrade(db)
        print(f"escalation sweep ({db.engine.dialect.name}): each due issue breached and paged")
        per_issue(db, FakeClock())
        db.dispose()
        if scale:
            if url.startswith("postgresql"):
                drop_pg(url)
                pg_url()
            flatness(url if url.startswith("postgresql") else url.replace("sweep.db", "flat.db"))
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (this process, which also built the fixtures: {own:.0f} MB)")
    if pg:
        drop_pg(pg)
    return 0


if __name__ == "__main__":
    sys.exit(main())
