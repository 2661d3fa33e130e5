"""The tables the code declares are the tables the migrations make: a column added to a
model without its migration (or the other way round) fails here, not in production."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table)
from storage.db import Database
from storage.migrate import upgrade

# Made by migrations on purpose, with no model: the full-text index (0009) and its
# shadow tables, and the lock that lets one replica migrate at a time.
NOT_MODELS = ("issue_search", "firebell_migration_lock")


def test_the_migrated_schema_is_the_declared_one(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/schema.db")
    upgrade(db)
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), SQLModel.metadata)
    db.dispose()
    left = []
    for change in diff:
        if change[0] == "remove_table" and change[1].name.startswith(NOT_MODELS):
            continue
        # SQLite cannot add a foreign key to an existing table (0010's merged_into_id);
        # the model keeps it for PostgreSQL and for the ORM's joins.
        if change[0] == "add_fk" and change[1].table.name == "issues":
            continue
        left.append(change)
    assert left == []
