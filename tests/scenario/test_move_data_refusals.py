"""firebell move-data refuses a bad target or source in one line with exit 2 (never a
traceback, never libpq's defaults), opens the source read-only (a missing file is not
created), and copies in one transaction: a copy that fails on a late table leaves the
target empty, and running it again once that is fixed moves everything.

In process through `bot.cli.main`; the parts that need a PostgreSQL server skip on SQLite."""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from bot.cli import main
from bot.core.clock import FakeClock
from bot.demo.harness import running
from storage.db import Database, normalise_url
from storage.migrate import upgrade
from tests.helpers import file_another, people

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")
needs_postgres = pytest.mark.skipif(not PG_URL, reason="needs a PostgreSQL server")
EXAMPLE = "postgresql://firebell@db.example.com/firebell"


@pytest.fixture
def source(sqlite_template: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A migrated, empty Firebell SQLite file as DATABASE_URL."""
    path = tmp_path / "firebell.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def refused(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Runs move-data; asserts exit 2 and one line on stderr, and returns that line."""
    code = main(["move-data", *argv])
    err = capsys.readouterr().err
    assert code == 2, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("firebell: ")
    return err.strip()


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("postgres", "--to is not a database URL; write it like " + EXAMPLE),
        ("postgresql://", "--to must name the host and the database"),
        ("postgresql://localhost", "--to must name the host and the database"),
        ("postgresql:///firebell", "--to must name the host and the database"),
        ("sqlite:///other.db", "--to must be a PostgreSQL URL"),
        ("postgresql://127.0.0.1:abc/firebell", "--to is not a database URL"),
        ("postgresql://127.0.0.1:99999/firebell", "cannot use the target"),  # a bad port
        ("postgresql://127.0.0.1:1/firebell", "cannot use the target"),  # refused
        ("postgresql://no-such-host.invalid/firebell", "cannot use the target"),  # unknown
        ("postgresql://127.0.0.1/firebell?sslmode=bogus", "cannot use the target"),
    ],
)
def test_a_target_that_cannot_be_used_is_one_line(
    source: Path, to: str, words: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert words in refused(capsys, "--to", to)


def test_a_source_that_is_missing_damaged_or_not_firebells_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    to = ["--to", "postgresql://127.0.0.1:1/firebell"]  # never reached: the source is first
    missing = tmp_path / "missing.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{missing}")
    assert f"there is no database at {missing}" in refused(capsys, *to)
    assert list(tmp_path.iterdir()) == []  # not created, nor its lock file

    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(b"this is not a database file, only some text" * 100)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{damaged}")
    assert "is not a Firebell database this can read" in refused(capsys, *to)

    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (body TEXT)")
    conn.close()
    before = other.read_bytes()
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{other}")
    assert "is not a Firebell database this can read" in refused(capsys, *to)
    assert other.read_bytes() == before  # read only

    monkeypatch.setenv("DATABASE_URL", "postgresql://db.example.com/firebell")
    assert "move-data copies a SQLite database" in refused(capsys, *to)


def _in_postgres(statement: str, database: str) -> None:
    engine = create_engine(normalise_url(database))
    with engine.begin() as conn:
        conn.execute(text(statement))
    engine.dispose()


@needs_postgres
def test_a_missing_newer_or_clashing_target_is_one_line(
    source: Path, empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = make_url(normalise_url(PG_URL or "")).set(database="firebell_no_such_database")
    line = refused(capsys, "--to", missing.render_as_string(hide_password=False))
    assert "cannot use the target" in line and "firebell_no_such_database" in line

    _in_postgres("CREATE TABLE issues (x integer)", empty_database)  # another program's
    line = refused(capsys, "--to", empty_database)
    assert "has tables that are not Firebell's (issues)" in line
    _in_postgres("DROP TABLE issues", empty_database)

    target = Database(empty_database)
    upgrade(target)
    target.dispose()
    _in_postgres("UPDATE alembic_version SET version_num = '9999'", empty_database)
    line = refused(capsys, "--to", empty_database)
    assert "is at migration 9999, newer than this release" in line


def _rows(url: str) -> int:
    engine = create_engine(normalise_url(url))
    with engine.connect() as conn:
        names = conn.execute(
            text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        ).scalars()
        total = sum(
            conn.execute(text(f'SELECT count(*) FROM "{n}"')).scalar() or 0
            for n in names
            if n != "alembic_version"
        )
    engine.dispose()
    return total


@needs_postgres
async def test_a_copy_that_fails_late_leaves_the_target_empty_and_can_run_again(
    source: Path, empty_database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    async with running(f"sqlite:///{source}", clock=FakeClock()) as h:
        dana, _sam, support = people(h)
        await file_another(h, dana, support, title="Checkout fails with 502")
    # SQLite does not check foreign keys unless asked: a timeline event (one of the last
    # tables copied) points at no issue, and PostgreSQL refuses it mid-copy.
    with sqlite3.connect(source) as conn:
        good = conn.execute("SELECT issue_id FROM timeline_events LIMIT 1").fetchone()[0]
        conn.execute("UPDATE timeline_events SET issue_id = 999999")
    conn.close()
    line = refused(capsys, "--to", empty_database)
    assert "the copy failed at table timeline_events" in line and "nothing was kept" in line
    assert _rows(empty_database) == 0  # issues, participants, … were rolled back too

    with sqlite3.connect(source) as conn:
        conn.execute("UPDATE timeline_events SET issue_id = ?", (good,))
    conn.close()
    assert main(["move-data", "--to", empty_database]) == 0
    out = capsys.readouterr().out
    assert "issues: 1 rows" in out and "counts and key counters match" in out
    assert _rows(empty_database) > 0
