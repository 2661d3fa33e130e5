"""Every read flat in the data (issue 20, target 3): each read at 1k issues / 10k
timeline events and at 100k / 1M, side by side in one run, and the ratio 100k/1k
against the target <= 1.5x.

The reads are the functions the handlers and routes run (in the database's threads),
from the query to the blocks or JSON they answer with: the weekly digest,
`/incident list` (open, mine, all), App Home, `/incident stats` (90 days, for a
person), search (a word of the last 100 days, and a word in one issue in ten: the
second finds 100x more at 100k and is printed for information only), the API list
and the API's stats for 90 days.

Fixture: bench/insights.py's (a team filing 10 issues a day, so the newest 1k issues
are the same in both sizes and the rest is older history; 10 timeline events an
issue, rollups, SLA clocks, pages, follow-ups, deploys), plus participants (the
reporter; U00001 a member of one issue in ten) and each issue's search document.
Built with bulk Core inserts; cached between runs: SQLite files under
$TMPDIR/firebell-scale/, PostgreSQL databases firebell_bench_scale_1k / _100k
(tagged with the fixture's version and the migration head, rebuilt when either changes).

SQLite always; PostgreSQL at BENCH_DATABASE_URL, or at the local test server when it
answers. Medians of 15 rounds after 2 warm-ups, the two sizes interleaved so noise
falls on both.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import insights  # noqa: E402
from bot.core.reporters import is_person  # noqa: E402
from bot.handlers.home import _home  # noqa: E402
from bot.handlers.incidents import _visible_list  # noqa: E402
from bot.handlers.insights import StatsArgs, _stats  # noqa: E402
from bot.handlers.triage import _found_visible  # noqa: E402
from bot.incidents.list_views import list_blocks  # noqa: E402
from bot.insights.api import stats_json  # noqa: E402
from bot.insights.digest import weekly_sections  # noqa: E402
from bot.insights.figures import a_channel, figures  # noqa: E402
from bot.insights.issue_routes import ListQuery, _list_page, issue_json  # noqa: E402
from bot.triage.search import SearchIndex  # noqa: E402
from bot.triage.search_views import search_blocks  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Issue, Participant  # noqa: E402

SIZES = (1_000, 100_000)
TARGET = 1.5
ROUNDS, WARMUPS = 15, 2
NOW = insights.NOW
USER = "U00001"
LOCAL_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
FIXTURE_VERSION = "2"  # bump when the fixture changes: cached databases are rebuilt
CACHE = Path(tempfile.gettempdir()) / "firebell-scale"
CHUNK = 5_000

SYMPTOMS = (
    "timeout",
    "error rate",
    "latency spike",
    "crash loop",
    "memory leak",
    "disk full",
    "certificate expiry",
    "slow queries",
    "dropped messages",
    "login failures",
)
TOPICAL = "ledger"  # in one issue in 50 of the last 100 days only: 20 at either size
COMMON = "timeout"  # in one issue in ten, however old: 100 at 1k, 10,000 at 100k


def title_of(n: int) -> str:
    service = insights.SERVICES[n % len(insights.SERVICES)]
    topical = f" {TOPICAL} mismatch" if n <= 1_000 and n % 50 == 7 else ""  # n: age order
    return f"{service} {SYMPTOMS[n % len(SYMPTOMS)]}{topical} #{n}"


def number_of(n: int) -> int:
    """Issue n (filed n/10 days before the newest) gets INC-(100,001 - n): numbers grow
    with time, the newest 1k the same at either size."""
    return SIZES[-1] + 1 - n


def head() -> str:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config()
    config.set_main_option("script_location", str(ROOT / "storage" / "alembic"))
    return str(ScriptDirectory.from_config(config).get_current_head())


def extend(db: Database, have: int, size: int) -> None:
    """Issues have+1..size (bench/insights.py's fixture), their participants and
    search documents."""
    with db.session() as session:
        before = session.execute(select(func.max(Issue.id))).scalar() or 0
    insights.seed(db, have + 1, size - have, title_of, number_of)
    for first in range(before + 1, before + size - have + 1, CHUNK):
        last = first + CHUNK - 1
        with db.session() as session:
            rows = session.execute(
                select(Issue.id, Issue.number, Issue.reporter_id, Issue.created_at).where(
                    Issue.id >= first, Issue.id <= last
                )
            ).all()
            people = [
                {"issue_id": i, "user_id": r, "role": "reporter", "added_at": at}
                for i, _n, r, at in rows
                if is_person(r)
            ] + [
                {"issue_id": i, "user_id": USER, "role": "member", "added_at": at}
                for i, n, r, at in rows
                if n % 10 == 0 and r != USER
            ]
            session.execute(insert(Participant), people)
            newline = "E'\\n'" if db.is_postgres else "char(10)"
            document = (
                f"'INC-' || number || {newline} || title || {newline} || "
                f"coalesce(service, '') || {newline} || type"
            )
            key = "issue_id" if db.is_postgres else "rowid"
            session.execute(
                text(
                    f"INSERT INTO issue_search ({key}, document) SELECT id, {document} "
                    "FROM issues WHERE id BETWEEN :first AND :last"
                ),
                {"first": first, "last": last},
            )
    if db.is_postgres:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    else:
        with db.engine.connect() as conn:
            conn.execute(text("ANALYZE"))
            conn.commit()


def sqlite_databases(tag: str) -> dict[int, str]:
    """The cached files, built (the larger from a copy of the smaller) when missing."""
    CACHE.mkdir(exist_ok=True)
    paths, have, previous = {}, 0, None
    for size in SIZES:
        path = CACHE / f"scale-{size}-{tag}.db"
        if not path.exists():
            started = time.perf_counter()
            building = path.with_suffix(".building")
            if previous is None:
                building.unlink(missing_ok=True)
            else:
                shutil.copyfile(previous, building)
            db = Database(f"sqlite:///{building}")
            upgrade(db)
            extend(db, have, size)
            with db.engine.connect() as conn:
                conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
            db.dispose()
            building.rename(path)
            print(f"scale (sqlite): built {size:,} issues in {time.perf_counter() - started:.0f} s")
        paths[size] = f"sqlite:///{path}"
        have, previous = size, path
    return paths


def postgres_databases(url: str, tag: str) -> dict[int, str] | None:
    """firebell_bench_scale_<size>, kept between runs; the larger made from the smaller
    (CREATE DATABASE ... TEMPLATE) when missing or built by another version."""
    base = make_url(normalise_url(url))
    try:
        admin = create_engine(
            base.set(database="postgres"),
            isolation_level="AUTOCOMMIT",
            connect_args={"connect_timeout": 3},
        )
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # no server: SQLite only
        print(f"scale: no PostgreSQL at {base.render_as_string()}: {type(exc).__name__}")
        return None
    urls, have, previous = {}, 0, None
    for size in SIZES:
        name = f"firebell_bench_scale_{size // 1000}k"
        with admin.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :n"
                ),
                {"n": name},
            ).first()
        target = base.set(database=name).render_as_string(hide_password=False)
        if found is None or found[0] != tag:
            started = time.perf_counter()
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                template = f' TEMPLATE "{previous}"' if previous else ""
                conn.execute(text(f'CREATE DATABASE "{name}"{template}'))
            db = Database(target)
            upgrade(db)
            extend(db, have, size)
            db.dispose()
            with admin.connect() as conn:
                conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{tag}'"))
            took = time.perf_counter() - started
            print(f"scale (postgresql): built {size:,} issues in {took:.0f} s")
        urls[size] = target
        have, previous = size, name
    admin.dispose()
    return urls


Read = Callable[[Database, SearchIndex], Any]


def reads() -> dict[str, tuple[Read, bool]]:
    """Each read, and whether the 1.5x target applies to it."""

    def listed(scope: str) -> Read:
        def read(db: Database, _index: SearchIndex) -> Any:
            return list_blocks(scope, _visible_list(db, scope, USER), NOW)

        return read

    def searched(words: str) -> Read:
        def read(db: Database, index: SearchIndex) -> Any:
            return search_blocks(words, _found_visible(db, index, words, USER), NOW)

        return read

    def api_list(db: Database, index: SearchIndex) -> Any:
        page = _list_page(db, index, ListQuery({}), False)
        return json.dumps([issue_json(i) for i in page])

    def api_stats(db: Database, _index: SearchIndex) -> Any:
        since = NOW - timedelta(days=90)
        found = figures(db, since, NOW, None, now=NOW, audience=a_channel())
        return json.dumps(stats_json(found))

    return {
        "digest (7 days vs 7)": (lambda db, _i: weekly_sections(db, NOW), True),
        "/incident list open": (listed("open"), True),
        "/incident list mine": (listed("mine"), True),
        "/incident list all": (listed("all"), True),
        "App Home": (lambda db, _i: _home(db, USER, NOW), True),
        "/incident stats 90d": (lambda db, _i: _stats(db, StatsArgs(90), USER, NOW), True),
        f"search '{TOPICAL}' (20 hits)": (searched(TOPICAL), True),
        f"search '{COMMON}' (1 in 10)": (searched(COMMON), False),
        "API list (100, newest)": (api_list, True),
        "API stats 90d": (api_stats, True),
    }


def measure(name: str, urls: dict[int, str]) -> bool:
    dbs = {size: Database(url) for size, url in urls.items()}
    indexes = {size: SearchIndex(db) for size, db in dbs.items()}
    met = True
    try:
        for label, (read, targeted) in reads().items():
            times: dict[int, list[float]] = {size: [] for size in SIZES}
            for round_ in range(WARMUPS + ROUNDS):
                for size in SIZES:
                    started = time.perf_counter()
                    read(dbs[size], indexes[size])
                    if round_ >= WARMUPS:
                        times[size].append((time.perf_counter() - started) * 1000)
            small, big = (statistics.median(times[size]) for size in SIZES)
            ratio = big / small
            verdict = (
                ("met" if ratio <= TARGET else "MISSED") if targeted else "grows with its hits"
            )
            met = met and (ratio <= TARGET or not targeted)
            print(
                f"scale ({name}): {label:<30} 1k {small:7.1f} ms  100k {big:7.1f} ms  "
                f"ratio {ratio:5.2f} (target <= {TARGET}x): {verdict}",
                flush=True,
            )
    finally:
        for db in dbs.values():
            db.dispose()
    return met


def main() -> int:
    tag = f"{FIXTURE_VERSION}-{head()}"
    met = measure("sqlite", sqlite_databases(tag))
    pg = postgres_databases(os.environ.get("BENCH_DATABASE_URL") or LOCAL_POSTGRES, tag)
    if pg is not None:
        met = measure("postgresql", pg) and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
