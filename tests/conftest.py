"""Fixtures shared by every test: a fresh database (SQLite or PostgreSQL), a fake clock.

The suite runs on SQLite by default and on PostgreSQL when
FIREBELL_TEST_DATABASE_URL is set; then a PostgreSQL it cannot reach is an
error, never a skip.
"""

from __future__ import annotations

import logging
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Iterable, Iterator

import pytest
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url
from sqlmodel import SQLModel

from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from storage import models  # noqa: F401  (the tables, into SQLModel.metadata)
from storage.db import Database, normalise_url
from storage.migrate import upgrade
from tests.helpers import slack_timeout

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")

# Tables made by raw SQL in a migration, not in the models' metadata: the search index
# (FTS5 on SQLite, tsvector on PostgreSQL; 0009_search.py). It refers to issues, so it
# is emptied first. `postgres_database` checks that no other table is missing here.
OUTSIDE_METADATA = ("issue_search",)

# Every table, children before parents: the order to delete in.
TABLES = (*OUTSIDE_METADATA, *(t.name for t in reversed(SQLModel.metadata.sorted_tables)))

# Tables whose `id` comes from a sequence (restarted with the rows, as TRUNCATE did):
# those with an integer primary key that autoincrements.
SERIAL = {
    table.name
    for table in SQLModel.metadata.sorted_tables
    if table.autoincrement_column is not None
}


# Files whose tests start real processes (firebell, Prometheus, Alertmanager) and wait
# on them, or fuzz for half a minute. `make test` (tests/run-lanes) runs them in pytest
# processes of their own, beside the rest: they mostly wait, so they overlap well.
LONG = {
    "test_replicas.py",
    "test_jira_kill.py",
    "test_start_and_stop.py",
    "test_move_data.py",
    "test_concurrent_start.py",
    "test_socket_process.py",
    "test_prometheus_scrape.py",
    "test_alertmanager_integration.py",
    "test_engine_concurrency.py",
    "test_openapi_fuzz.py",
    "test_systemd_ready.py",
    "test_wheel.py",
    "test_browser_pages.py",
    "test_browser_more_pages.py",
    "test_browser_report_form.py",
    "test_browser_embed.py",
    "test_demo_serve.py",
    "test_browser_playground.py",
    "test_playground_process.py",
}


# What makes a test depend on the database under test: these fixtures, or a module that
# reads FIREBELL_TEST_DATABASE_URL itself.
DATABASE_FIXTURES = {
    "database_url",
    "module_database_url",
    "db",
    "h",
    "empty_database",
    "postgres_database",
}
READS_THE_URL_ITSELF = {"test_engine_concurrency.py", "test_move_data.py", "test_replicas.py"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in LONG:
            item.add_marker(pytest.mark.long)
    if not PG_URL:
        return
    # The PostgreSQL run repeats only what a database can change: a test that touches
    # no database gives the same answer twice, and ran in the SQLite run already.
    keep, drop = [], []
    for item in items:
        uses = DATABASE_FIXTURES.intersection(getattr(item, "fixturenames", ()))
        (keep if uses or item.path.name in READS_THE_URL_ITSELF else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def pytest_report_header() -> str:
    return f"database: {'PostgreSQL ' + PG_URL if PG_URL else 'SQLite'}"


def create_database(admin: Engine, name: str) -> None:
    """A new database on the test server. It commits without waiting for the WAL flush
    (synchronous_commit = off): what a test reads is the same, only a crash of the
    server could lose the last commits, and a test's ~100 commits stop waiting on disk."""
    with admin.connect() as conn:  # fails loudly when PostgreSQL is down: it is mandatory
        conn.execute(text(f'CREATE DATABASE "{name}"'))
        conn.execute(text(f'ALTER DATABASE "{name}" SET synchronous_commit = off'))


def check_every_table_is_emptied(url: str) -> None:
    """A table the migrations make outside the metadata would keep its rows from one
    test to the next; say so at once rather than as a puzzling failure later."""
    engine = create_engine(url)
    try:
        missing = set(inspect(engine).get_table_names()) - set(TABLES) - {"alembic_version"}
    finally:
        engine.dispose()
    assert not missing, f"add {sorted(missing)} to OUTSIDE_METADATA in tests/conftest.py"


@pytest.fixture(scope="session")
def postgres_database() -> Iterator[str | None]:
    """A database of our own on the PostgreSQL server, migrated once, dropped at the end."""
    if not PG_URL:
        yield None
        return
    admin_url = make_url(normalise_url(PG_URL))
    name = f"firebell_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    create_database(admin, name)
    url = admin_url.set(database=name).render_as_string(hide_password=False)
    db = Database(url)
    upgrade(db)
    db.dispose()
    check_every_table_is_emptied(url)
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _array(names: Iterable[str]) -> str:
    return "ARRAY[" + ", ".join(f"'{name}'" for name in names) + "]::text[]"


# Only the tables a test wrote to, with DELETE (children first, as TABLES is ordered),
# their sequences restarted: TRUNCATE of every table cost 80 ms a test, over a minute a
# run. One statement, so one round trip to the server a test (a probe, then a DELETE and
# a setval per table written, each a round trip, cost more than the work).
EMPTY_THE_TABLES = f"""
DO $$
DECLARE
    t text;
    used boolean;
BEGIN
    FOREACH t IN ARRAY {_array(TABLES)} LOOP
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM ' || quote_ident(t) || ')' INTO used;
        IF used THEN
            EXECUTE 'DELETE FROM ' || quote_ident(t);
            IF t = ANY({_array(sorted(SERIAL))}) THEN
                PERFORM setval(pg_get_serial_sequence(t, 'id'), 1, false);
            END IF;
        END IF;
    END LOOP;
END
$$"""


@pytest.fixture(scope="session")
def postgres_cleaner(postgres_database: str) -> Iterator[Engine]:
    """One connection for the whole run that empties the tables before each test: an
    engine a test cost a connection and SQLAlchemy's first-connect queries each time."""
    engine = create_engine(postgres_database, pool_size=1)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite file migrated once; each test gets a copy of it."""
    path = str(tmp_path_factory.mktemp("template") / "firebell.db")
    db = Database(f"sqlite:///{path}")
    upgrade(db)
    db.dispose()
    return path


@pytest.fixture
def empty_database(tmp_path: object) -> Iterator[str]:
    """A database nobody has migrated: a new PostgreSQL database, or a new SQLite file
    (for tests that start real `firebell` processes on it)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path}/firebell.db"
        return
    admin_url = make_url(normalise_url(PG_URL))
    name = f"firebell_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    create_database(admin, name)
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def fresh_database(
    folder: object, postgres_database: str | None, request: pytest.FixtureRequest
) -> str:
    """An empty, migrated database: a copy of the SQLite template in `folder`, or the
    run's PostgreSQL database emptied."""
    if postgres_database is None:
        path = f"{folder}/firebell.db"
        # A copy of a file migrated once: migrating each file cost 0.2 s a test.
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        return f"sqlite:///{path}"
    with request.getfixturevalue("postgres_cleaner").begin() as conn:
        conn.execute(text(EMPTY_THE_TABLES))
    return postgres_database


@pytest.fixture
def database_url(
    tmp_path: object, postgres_database: str | None, request: pytest.FixtureRequest
) -> str:
    """An empty, migrated database for one test."""
    return fresh_database(tmp_path, postgres_database, request)


@pytest.fixture(scope="module")
def module_database_url(
    tmp_path_factory: pytest.TempPathFactory,
    postgres_database: str | None,
    request: pytest.FixtureRequest,
) -> str:
    """An empty, migrated database shared by a module's tests that only read what one
    setup wrote (filing issues through Slack costs seconds a test on PostgreSQL)."""
    return fresh_database(tmp_path_factory.mktemp("module"), postgres_database, request)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url)
    upgrade(database)
    yield database
    database.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def h(
    database_url: str, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Harness]:
    """Firebell serving HTTP on loopback against a fresh sandbox Slack."""
    async with running(
        database_url, clock=clock, slack_timeout_seconds=slack_timeout(request)
    ) as harness:
        yield harness


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    """The sandbox Slack alone, for tests that start real `firebell` processes on it."""
    box = await Sandbox().start()
    try:
        yield box
    finally:
        box.faults.clear()
        await box.stop()


@pytest.fixture(autouse=True)
def root_logging() -> Iterator[None]:
    """A test that runs the CLI in-process configures the root logger onto the stderr
    pytest captured for that test; later tests would then log to a closed stream."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
