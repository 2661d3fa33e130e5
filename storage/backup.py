"""`firebell backup FILE`: a consistent copy of the SQLite database while Firebell runs.

SQLite's online backup API copies the database inside one read transaction. In WAL
mode (storage/db.py) a reader never blocks the writer, so a running Firebell keeps
filing and paging while the copy is made, and the copy is the database as of one
moment. PostgreSQL has its own tool for that (pg_dump); we print its line instead.
"""

from __future__ import annotations

import shlex
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from sqlalchemy.engine import URL, make_url

from storage.db import normalise_url


class BackupRefused(Exception):
    """A backup that cannot be made; the message is one line for the operator."""


@dataclass(frozen=True)
class BackupDone:
    target: Path
    size_bytes: int


def pg_dump_line(url: str, target: str) -> str:
    """The pg_dump command that backs up this PostgreSQL database; no password in it
    (pg_dump reads it from PGPASSWORD or ~/.pgpass)."""
    parsed = make_url(normalise_url(url))
    libpq_url = URL.create(  # libpq's scheme (no +psycopg), every part but the password
        "postgresql",
        username=parsed.username,
        host=parsed.host,
        port=parsed.port,
        database=parsed.database,
        query=parsed.query,
    ).render_as_string(hide_password=True)
    return f"pg_dump --format=custom --file={shlex.quote(target)} {shlex.quote(libpq_url)}"


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for another database."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return None
    if not parsed.database or parsed.database == ":memory:":
        raise BackupRefused(
            "DATABASE_URL points at an in-memory SQLite database: nothing to back up"
        )
    return Path(parsed.database)


def backup_sqlite(source: Path, target: Path) -> BackupDone:
    """Copy `source` into the new file `target` (never overwritten), as one file that
    needs no -wal beside it, and check the copy's integrity."""
    if not source.is_file():
        raise BackupRefused(f"there is no database at {source}: check DATABASE_URL")
    try:
        claim = target.open("xb")  # exclusive: refuses a file that exists, even in a race
    except FileExistsError:
        raise BackupRefused(
            f"{target} exists already; a backup never overwrites a file: choose a new name"
        ) from None
    except OSError as exc:
        raise BackupRefused(f"cannot write {target}: {exc.strerror}") from None
    claim.close()
    try:
        _copy(source, target)
    except BaseException:
        target.unlink(missing_ok=True)
        raise
    return BackupDone(target, target.stat().st_size)


def _copy(source: Path, target: Path) -> None:
    # mode=rw: a missing file is an error, never a new empty database.
    uri = f"file:{quote(str(source.resolve()))}?mode=rw"
    try:
        # closing(): sqlite3's own context manager ends a transaction, it does not close.
        with closing(sqlite3.connect(uri, uri=True, timeout=30)) as src:
            with closing(sqlite3.connect(target)) as dst:
                src.backup(dst)
                # The copy keeps WAL mode from the source's header; DELETE folds it into
                # one self-contained file that can be copied or restored on its own.
                dst.execute("PRAGMA journal_mode=DELETE")
                verdict = dst.execute("PRAGMA integrity_check").fetchone()[0]
    except sqlite3.Error as exc:
        raise BackupRefused(f"cannot back up {source}: {exc}") from None
    if verdict != "ok":
        raise BackupRefused(f"the copy of {source} failed its integrity check: {verdict}")
