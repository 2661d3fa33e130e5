"""Alembic environment: runs against the engine handed over by storage.migrate.

Replicas may start together on an empty database: the migration runs under a
lock, so the second waits for the first and then finds nothing left to do.
"""

from __future__ import annotations

from alembic import context
from sqlalchemy import text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on SQLModel.metadata)

# Any constant shared by every Firebell; pg_advisory_xact_lock frees it at commit.
MIGRATION_LOCK = 4_242_001

engine = context.config.attributes["engine"]
sqlite = engine.dialect.name == "sqlite"
if sqlite:
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE IF NOT EXISTS firebell_migration_lock (n INTEGER)"))
with engine.begin() as connection:
    if sqlite:
        # A write first takes SQLite's write lock (others wait on busy_timeout) before
        # anything reads the schema version.
        connection.execute(text("DELETE FROM firebell_migration_lock"))
    else:
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        render_as_batch=sqlite,
    )
    context.run_migrations()
