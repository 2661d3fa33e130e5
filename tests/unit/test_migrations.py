"""Migrations upgrade a database that already holds data, and downgrade cleanly."""

from __future__ import annotations

from alembic import command
from sqlalchemy import text

from storage.db import Database
from storage.migrate import alembic_config, upgrade


def test_upgrade_keeps_existing_issues_and_downgrade_works(tmp_path: object) -> None:
    db = Database(f"sqlite:///{tmp_path}/old.db")
    upgrade(db, "0001")
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO issues (number, idempotency_key, title, type, severity, private, "
                "reporter_id, status, phase, created_at) VALUES "
                "(1, 'k', 'Old issue', 'bug', 'minor', 0, 'U1', 'new', 'detection', "
                "'2026-01-01 00:00:00')"
            )
        )
    upgrade(db)
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT title, reporter_updates FROM issues")).one()
    assert tuple(row) == ("Old issue", 1)
    command.downgrade(alembic_config(db), "base")
    with db.engine.begin() as conn:
        tables = conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'")).all()
    assert sorted(t[0] for t in tables) == ["alembic_version", "firebell_migration_lock"]
    db.dispose()
