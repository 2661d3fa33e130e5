"""Escalation sweep cost: 100 issues due among 1k, 10k and 100k open issues.

The engine reads due rows through the `next_check_at` index, so a sweep
should cost about the same whatever the number of open issues: target
100k/1k time ratio <= 2. Peak RSS of an engine process that sweeps with
100k open issues: target <= 200 MB (measured in a fresh child process, so
building the fixture does not count).

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://... for PostgreSQL.
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

from bench.fixtures import seed  # noqa: E402
from bot.config import FirebellConfig  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.sla.engine import Engine  # noqa: E402
from storage.db import Database  # noqa: E402
from storage.migrate import upgrade  # noqa: E402

DUE = 100
SIZES = (1_000, 10_000, 100_000)
TARGET_RATIO = 2.0
TARGET_RSS_MB = 200
CONFIG = FirebellConfig(
    escalation_policies=[
        {"name": "default", "steps": [{"targets": [{"user": "UONCALL"}], "wait": "10m"}]}
    ]
)


def timed_sweep(db: Database, clock: FakeClock) -> float:
    engine = Engine(db, clock, CONFIG)
    started = time.perf_counter()
    result = engine.tick()
    elapsed = time.perf_counter() - started
    if result.breaches != DUE:
        raise RuntimeError(f"expected {DUE} breaches, the sweep found {result.breaches}")
    return elapsed


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


def main() -> int:
    url = os.environ.get("BENCH_DATABASE_URL")
    tmp = tempfile.mkdtemp(prefix="firebell-sweep-")
    url = url or f"sqlite:///{tmp}/sweep.db"
    db = Database(url)
    upgrade(db)
    clock = FakeClock()
    print(f"escalation sweep: {DUE} issues due among N open ({db.engine.dialect.name})")
    times: dict[int, float] = {}
    open_now = 0
    for size in SIZES:
        seed(db, clock, size - open_now - DUE, due=False)
        runs = []
        for _ in range(3):  # three sweeps, each over 100 freshly due issues
            seed(db, clock, DUE, due=True)
            runs.append(timed_sweep(db, clock))
        open_now = size + 2 * DUE  # swept issues stay open (breached, escalating)
        times[size] = statistics.median(runs)
        print(f"  {size:>7,} open: sweep {times[size] * 1000:7.1f} ms (median of 3)")
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
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"  (this process, which also built the fixture: {own:.0f} MB)")
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
