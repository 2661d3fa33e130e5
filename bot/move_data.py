"""`firebell move-data --to postgresql+psycopg://…`: carry a SQLite database over to an
empty PostgreSQL one, whole: issues with their numbers, timelines, checklists, SLA
clocks and escalations in flight, the ledger, the outbox (pending work stays
pending), reviews, follow-ups, alerts, deploys, rollups.

The source is read, never written. The target is migrated first and must be empty.
Rows keep their ids (every reference stays true), PostgreSQL's sequences are moved
past them, the search index is rebuilt, and the counts of every table and the key
counters are compared at the end.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from sqlalchemy import Table, func, insert, select, text, update
from sqlmodel import SQLModel

from bot.core.errors import StartupError
from bot.core.timeline import KINDS
from bot.incidents.event_kinds import IncidentEvent
from bot.startup import safe_url
from bot.triage.event_kinds import TriageEvent
from bot.triage.search import SearchIndex
from storage.db import Database
from storage.migrate import head_revision, upgrade
from storage.models import Issue
from storage.owner import try_exclusive

CHUNK = 2_000
SKIP = {"issue_search"}  # rebuilt from the copied rows: FTS5 and tsvector differ


def tables() -> list[Table]:
    """Every table of the models, parents before children."""
    return [t for t in SQLModel.metadata.sorted_tables if t.name not in SKIP]


def counts(db: Database) -> dict[str, int]:
    with db.engine.connect() as conn:
        return {
            t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
            for t in tables()
        }


def move(source_url: str, target_url: str, say: Callable[[str], None] = print) -> dict[str, int]:
    if not target_url.startswith(("postgresql", "postgres")):
        raise StartupError("--to must be a PostgreSQL URL, e.g. postgresql+psycopg://user@host/db")
    try:
        lock = try_exclusive(source_url)
    except BlockingIOError:
        raise StartupError(
            f"a Firebell process is using {safe_url(source_url)}: stop it first (SIGTERM, "
            "or `systemctl stop firebell`), then run move-data again"
        ) from None
    source, target = Database(source_url), Database(target_url)
    try:
        _require_current(source, source_url)  # read only: never migrated here
        upgrade(target)
        busy = {name: n for name, n in counts(target).items() if n}
        if busy:
            shown = ", ".join(f"{name} ({n})" for name, n in sorted(busy.items())[:5])
            raise StartupError(
                f"the target {safe_url(target_url)} is not empty: {shown}; move-data copies "
                "into an empty, migrated database only"
            )
        expected = counts(source)
        for table in tables():
            _copy(source, target, table, expected[table.name], say)
        _resume_sequences(target)
        KINDS.register(IncidentEvent, TriageEvent)  # the kinds whose text is searched
        SearchIndex(target).reindex_missing()
        found = counts(target)
        wrong = {n: (expected[n], found[n]) for n in expected if expected[n] != found[n]}
        if wrong:
            raise StartupError(f"row counts differ after the copy: {wrong}")
        _same_counters(source, target)
        total = sum(found.values())
        say(f"moved {total:,} rows in {len(found)} tables; counts and key counters match")
        return found
    finally:
        source.dispose()
        target.dispose()
        if lock is not None:
            lock.close()


def _copy(
    source: Database, target: Database, table: Table, rows: int, say: Callable[[str], None]
) -> None:
    done = 0
    self_refs = [
        c.name for c in table.columns if any(fk.column.table is table for fk in c.foreign_keys)
    ]
    later: list[dict[str, object]] = []
    key = list(table.primary_key.columns)
    with source.engine.connect() as read, target.engine.begin() as write:
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
                update(table)
                .where(table.c.id == row["id"])
                .values(**{c: row[c] for c in self_refs})
            )
    say(f"{table.name}: {done:,} rows")


def _require_current(source: Database, url: str) -> None:
    """Both sides must have the same columns; the source is not ours to migrate."""
    head = head_revision()
    with source.engine.connect() as conn:
        found = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    if found != head:
        raise StartupError(
            f"{safe_url(url)} is at migration {found}, this Firebell at {head}: run "
            "`firebell migrate` on it first (or start this version once), then move-data"
        )


def _resume_sequences(target: Database) -> None:
    """New rows on PostgreSQL get ids after the copied ones."""
    with target.engine.begin() as conn:
        for table in tables():
            if "id" not in table.c or not table.c.id.autoincrement:
                continue
            top = conn.execute(select(func.max(table.c.id))).scalar()
            if top is not None:
                conn.execute(
                    text("SELECT setval(pg_get_serial_sequence(:t, 'id'), :v)"),
                    {"t": table.name, "v": int(top)},
                )


def _same_counters(source: Database, target: Database) -> None:
    def read(db: Database) -> dict[str, int]:
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT name, value FROM key_counters")).all()
            return {str(name): int(value) for name, value in rows}

    before, after = read(source), read(target)
    if before != after:
        raise StartupError(f"key counters differ after the copy: {before} != {after}")
    with target.engine.connect() as conn:
        top = conn.execute(select(func.max(Issue.number))).scalar() or 0
    if after.get("issue", top) < top:
        raise StartupError("the issue counter is behind the highest issue number")


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use `firebell move-data --to …`")
