"""`firebell backup FILE`: a consistent SQLite copy while Firebell writes; an existing
file is never overwritten; PostgreSQL gets the pg_dump line."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from storage.db import Database
from storage.models import Issue


def file_issues(db: Database, numbers: range) -> None:
    for number in numbers:
        with db.session() as session:
            session.add(
                Issue(
                    number=number,
                    idempotency_key=f"backup-{number}",
                    title=f"Checkout fails {number}",
                    type="bug",
                    severity="high",
                    reporter_id="U1",
                    created_at=datetime.now(UTC),
                    description="x" * 2000,  # enough pages that the copy takes a while
                )
            )


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: str, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Always SQLite (backup is for SQLite), even in the PostgreSQL run of the suite."""
    path = tmp_path / "firebell.db"
    shutil.copyfile(sqlite_template, path)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    return path


def test_backup_while_a_writer_files_issues(
    sqlite_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = Database(f"sqlite:///{sqlite_db}")
    file_issues(db, range(1, 201))
    stop = threading.Event()
    written: list[int] = []

    def writer() -> None:  # Firebell filing issues all through the backup
        number = 201
        while not stop.is_set():
            file_issues(db, range(number, number + 1))
            written.append(number)
            number += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while len(written) < 5:  # the writer is really at work before the copy starts
            threading.Event().wait(0.01)
        target = tmp_path / "backup" / "firebell-copy.db"
        target.parent.mkdir()
        assert main(["backup", str(target)]) == 0
        after = len(written)
    finally:
        stop.set()
        thread.join()
        db.dispose()
    assert after > 5  # the writer was not blocked by the copy
    out = capsys.readouterr().out
    assert out.startswith(f"wrote {target} (") and "integrity ok" in out

    # One self-contained file: nothing beside it, and it opens on its own.
    assert sorted(p.name for p in target.parent.iterdir()) == ["firebell-copy.db"]
    with sqlite3.connect(target) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert copy.execute("PRAGMA journal_mode").fetchone() == ("delete",)
        numbers = [n for (n,) in copy.execute("SELECT number FROM issues ORDER BY number")]
        revision = copy.execute("SELECT version_num FROM alembic_version").fetchone()
    copy.close()
    # One moment's database: every issue filed up to then, none half-written, no gap.
    assert len(numbers) >= 205 and numbers == list(range(1, len(numbers) + 1))
    assert revision is not None


def test_backup_refuses_to_overwrite(
    sqlite_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "yesterday.db"
    target.write_bytes(b"yesterday's backup")
    assert main(["backup", str(target)]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"firebell: {target} exists already; a backup never overwrites a file: choose a new name\n"
    )
    assert target.read_bytes() == b"yesterday's backup"

    missing_dir = tmp_path / "no" / "such" / "dir.db"
    assert main(["backup", str(missing_dir)]) == 1
    assert capsys.readouterr().err == (
        f"firebell: cannot write {missing_dir}: No such file or directory\n"
    )


def test_backup_of_a_database_that_is_not_there(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/missing.db")
    assert main(["backup", str(tmp_path / "copy.db")]) == 1
    assert capsys.readouterr().err == (
        f"firebell: there is no database at {tmp_path}/missing.db: check DATABASE_URL\n"
    )
    assert not (tmp_path / "copy.db").exists() and not (tmp_path / "missing.db").exists()


def test_postgresql_is_told_the_pg_dump_line(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv(
        "DATABASE_URL", "postgresql+psycopg://firebell:s3cret-pass@db.internal:5433/firebell"
    )
    assert main(["backup", "/var/backups/firebell.dump"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "s3cret-pass" not in err
    assert err.endswith(
        ": pg_dump --format=custom --file=/var/backups/firebell.dump "
        "postgresql://firebell@db.internal:5433/firebell\n"
    )
    assert err.startswith("firebell: backup copies SQLite databases; back up PostgreSQL with")
