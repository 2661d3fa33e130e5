"""`firebell move-data --to postgresql+psycopg://…`: carry a SQLite database over to an
empty PostgreSQL one, whole: issues with their numbers, timelines, checklists, SLA
clocks and escalations in flight, the ledger, the outbox (pending work stays
pending), reviews, follow-ups, alerts, deploys, rollups.

The source is opened read-only (a missing file is refused, not created). The target
must name its host and database, is migrated first and must be empty. Rows keep
their ids (every reference stays true), PostgreSQL's sequences are moved past them,
and the counts of every table and the key counters are compared, all in one
transaction on the target: a move cut short (a kill, a failed row) leaves it empty,
so running it again is the way to resume. The search index is rebuilt afterwards
(`serve` indexes whatever is missing at start). Every refusal is one line.
"""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from alembic.util import CommandError
from sqlalchemy import (
    Connection,
    Engine,
    Table,
    create_engine,
    func,
    insert,
    inspect,
    select,
    text,
    update,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.pool import NullPool
from sqlmodel import SQLModel

from storage.db import Database, normalise_url, safe_url
from storage.migrate import current_revision, head_revision, newer_than_this_code, upgrade
from storage.models import Issue
from storage.owner import try_exclusive

CHUNK = 2_000
EXAMPLE = "postgresql://firebell@db.example.com/firebell"


class MoveRefused(Exception):
    """Why the move did not start or did not check out, in one line for the terminal."""


SKIP = {"issue_search"}  # rebuilt from the copied rows: FTS5 and tsvector differ


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SKIP]


def counts(conn: Connection) -> dict[str, int]:
    return {
        t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
        for t in tables()
    }


def _reason(exc: Exception) -> str:
    """The driver's first line, without SQLAlchemy's wrapping and links."""
    words = str(getattr(exc, "orig", None) or exc).strip().splitlines()
    return (words[0] if words else type(exc).__name__)[:200]


def check_target(url: str) -> str:
    """A PostgreSQL URL naming its host and database: `postgresql://` alone would
    copy into whatever libpq's defaults reach (a database named after the OS user)."""
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        raise MoveRefused(f"--to is not a database URL; write it like {EXAMPLE}") from None
    if parsed.get_backend_name() != "postgresql":
        raise MoveRefused(f"--to must be a PostgreSQL URL, e.g. {EXAMPLE}")
    if not (parsed.host or parsed.query.get("host")) or not parsed.database:
        raise MoveRefused(
            f"--to must name the host and the database, e.g. {EXAMPLE} "
            "(nothing is guessed from libpq's defaults)"
        )
    return normalise_url(url)


def open_source(url: str) -> Engine:
    """The SQLite file, read-only (`mode=ro`): it is never created, migrated or written."""
    try:
        parsed = make_url(normalise_url(url))
    except (ArgumentError, ValueError):
        raise MoveRefused(
            "DATABASE_URL is not a database URL; write it like sqlite:///firebell.db"
        ) from None
    path = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if not path or path == ":memory:":
        raise MoveRefused(
            f"move-data copies a SQLite database, and DATABASE_URL is {safe_url(url)}: "
            "point it at Firebell's SQLite file"
        )
    if not Path(path).is_file():
        raise MoveRefused(f"there is no database at {path}: point DATABASE_URL at Firebell's file")
    uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
    return create_engine(
        "sqlite://", creator=lambda: sqlite3.connect(uri, uri=True), poolclass=NullPool
    )


def move(
    source_url: str,
    target_url: str,
    reindex: Callable[[Database], object],
    say: Callable[[str], None] = print,
) -> dict[str, int]:
    """Copy everything in one transaction on the target (an interrupted move leaves it
    empty); `reindex` then rebuilds the search index there (the search slice's job:
    storage does not know FTS5 from tsvector; `serve` finishes it if this is cut short)."""
    target_url = check_target(target_url)
    source = open_source(source_url)
    try:
        lock = try_exclusive(source_url)
    except BlockingIOError:
        source.dispose()
        raise MoveRefused(
            f"a Firebell process is using {safe_url(source_url)}: stop it first (SIGTERM, "
            "or `systemctl stop firebell`), then run move-data again"
        ) from None
    target = Database(target_url)
    try:
        with source.connect() as read:
            _require_current(read, source_url)  # read only: never migrated here
            _prepare(target, target_url)
            found = _copy_all(read, target, target_url, say)
        reindex(target)
        say(
            f"moved {sum(found.values()):,} rows in {len(found)} tables; counts and key "
            "counters match"
        )
        return found
    finally:
        source.dispose()
        target.dispose()
        if lock is not None:
            lock.close()


def _prepare(target: Database, url: str) -> None:
    """Reach the target, refuse one that is newer or holds tables not Firebell's, migrate."""
    shown = safe_url(url)
    try:
        if newer := newer_than_this_code(target):
            raise MoveRefused(
                f"the target {shown} is at migration {newer}, newer than this release "
                f"(its latest is {head_revision()}): move with the release that made it"
            )
        if current_revision(target) is None:
            with target.engine.connect() as conn:
                others = sorted(inspect(conn).get_table_names())
            if others:
                raise MoveRefused(
                    f"the target {shown} has tables that are not Firebell's "
                    f"({', '.join(others[:5])}): give move-data a new, empty database"
                )
        upgrade(target)
    except (SQLAlchemyError, CommandError) as exc:
        raise MoveRefused(f"cannot use the target {shown}: {_reason(exc)}") from None


def _copy_all(
    read: Connection, target: Database, url: str, say: Callable[[str], None]
) -> dict[str, int]:
    """Every table, the sequences and the checks, in one transaction: all or nothing."""
    where = "the emptiness check"
    try:
        with target.engine.begin() as write:
            busy = {name: n for name, n in counts(write).items() if n}
            if busy:
                shown = ", ".join(f"{name} ({n})" for name, n in sorted(busy.items())[:5])
                raise MoveRefused(
                    f"the target {safe_url(url)} is not empty: {shown}; move-data copies "
                    "into an empty, migrated database only"
                )
            expected = counts(read)
            for table in tables():
                where = f"table {table.name}"
                _copy(read, write, table, expected[table.name], say)
            where = "the checks"
            _resume_sequences(write)
            found = counts(write)
            wrong = {n: (expected[n], found[n]) for n in expected if expected[n] != found[n]}
            if wrong:
                raise MoveRefused(f"row counts differ after the copy: {wrong}; nothing was kept")
            _same_counters(read, write)
            return found
    except SQLAlchemyError as exc:
        raise MoveRefused(
            f"the copy failed at {where}: {_reason(exc)}; nothing was kept in the target, "
            "so run move-data again once that is fixed"
        ) from None


def _copy(
    read: Connection, write: Connection, table: Table, rows: int, say: Callable[[str], None]
) -> None:
    done = 0
    self_refs = [
        c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)
    ]
    later: list[dict[str, object]] = []
    key = list(table.primary_key.columns)
    result = read.execution_options(stream_results=True).execute(select(table).order_by(*key))
    while batch := result.fetchmany(CHUNK):
        values = [dict(row._mapping) for row in batch]
        for row in values:  # a row may point at one copied later: set it afterwards
            if any(row.get(c) is not None for c in self_refs):
                later.append({"id": row["id"], **{c: row[c] for c in self_refs}})
                row.update(dict.fromkeys(self_refs))
        write.execute(insert(table), values)
        done += len(values)
        if rows > CHUNK:
            say(f"  {table.name}: {done:,} of {rows:,}")
    for row in later:
        write.execute(
            update(table).where(table.c.id == row["id"]).values(**{c: row[c] for c in self_refs})
        )
    say(f"{table.name}: {done:,} rows")


def _require_current(read: Connection, url: str) -> None:
    """Both sides must have the same columns; the source is not ours to migrate."""
    head = head_revision()
    try:
        found = read.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:  # not SQLite, damaged, or another program's file
        raise MoveRefused(
            f"{safe_url(url)} is not a Firebell database this can read: {_reason(exc)}"
        ) from None
    if found != head:
        raise MoveRefused(
            f"{safe_url(url)} is at migration {found}, this Firebell at {head}: run "
            "`firebell migrate` on it first (or start this version once), then move-data"
        )


def _resume_sequences(conn: Connection) -> None:
    """New rows on PostgreSQL get ids after the copied ones."""
    for table in tables():
        if "id" not in table.c or not table.c.id.autoincrement:
            continue
        top = conn.execute(select(func.max(table.c.id))).scalar()
        if top is not None:
            conn.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                {"t": table.name, "v": int(top)},
            )


def _same_counters(source: Connection, target: Connection) -> None:
    def read(conn: Connection) -> dict[str, int]:
        rows = conn.execute(text("SELECT name, value FROM key_counters")).all()
        return {str(name): int(value) for name, value in rows}

    before, after = read(source), read(target)
    if before != after:
        raise MoveRefused(f"key counters differ after the copy: {before} != {after}")
    top = target.execute(select(func.max(Issue.number))).scalar() or 0
    if after.get("issue", top) < top:
        raise MoveRefused("the issue counter is behind the highest issue number")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `firebell move-data --to …`")
