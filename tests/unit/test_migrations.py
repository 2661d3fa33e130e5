"""Migrations upgrade a database that already holds data, and downgrade cleanly."""

from __future__ import annotations

import pytest
from alembic import command
from sqlalchemy import text

from bot.cli import main
from storage.db import Database
from storage.migrate import alembic_config, current_revision, revisions, upgrade


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


def test_0007_replays_each_existing_issue_into_its_rollup(tmp_path: object) -> None:
    """Issues filed before the rollups existed get them from their status events, once."""
    db = Database(f"sqlite:///{tmp_path}/before-rollups.db")
    upgrade(db, "0006")
    moves = [  # minutes after filing, kind, before, after
        (10, "status_changed", "new", "assigned"),
        (40, "status_changed", "assigned", "retest"),
        (50, "status_changed", "retest", "revise"),
        (80, "status_changed", "revise", "fixed"),
        (90, "reopened", "fixed", "assigned"),
    ]
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO issues (id, number, idempotency_key, title, type, severity, private, "
                "reporter_id, status, phase, created_at, occurrences, reporter_updates) VALUES "
                "(1, 1, 'k', 'Old issue', 'bug', 'minor', 0, 'U1', 'assigned', 'response', "
                "'2026-01-01 00:00:00', 1, 1)"
            )
        )
        for minutes, kind, before, after in moves:
            conn.execute(
                text(
                    "INSERT INTO timeline_events (issue_id, at, kind, payload) VALUES "
                    "(1, :at, :kind, :payload)"
                ),
                {
                    "at": f"2026-01-01 00:{minutes:02d}:00"
                    if minutes < 60
                    else f"2026-01-01 01:{minutes - 60:02d}:00",
                    "kind": kind,
                    "payload": f'{{"before": "{before}", "after": "{after}"}}',
                },
            )
    upgrade(db)
    with db.engine.begin() as conn:
        row = conn.execute(
            text(
                "SELECT seconds_new, seconds_assigned, seconds_retest, seconds_revise, "
                "seconds_fixed, reopens, retest_revise_loops, status_since FROM issue_metrics"
            )
        ).one()
        drill = conn.execute(text("SELECT exclude_from_metrics FROM issues")).scalar()
    assert tuple(row)[:7] == (600.0, 1800.0, 600.0, 1800.0, 600.0, 1, 1)
    assert str(row[7]).startswith("2026-01-01 01:30:00")
    assert not drill
    db.dispose()


def test_migrate_to_goes_down_and_up_again(
    tmp_path: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The way back before running an older release: `firebell migrate --to 0009`."""
    url = f"sqlite:///{tmp_path}/f.db"
    monkeypatch.setenv("DATABASE_URL", url)
    head = revisions()[-1]
    assert main(["migrate"]) == 0
    previous = revisions()[-2]
    assert main(["migrate", "--to", previous]) == 0
    assert capsys.readouterr().out.endswith(f"downgraded from {head} to {previous}\n")
    db = Database(url)
    assert current_revision(db) == previous
    assert main(["migrate", "--to", "head"]) == 0
    assert capsys.readouterr().out == f"upgraded from {previous} to {head}\n"
    assert current_revision(db) == head

    assert main(["migrate", "--to", "9999"]) == 2
    assert capsys.readouterr().err.startswith("firebell: no migration 9999; this release has 0001")
    with db.engine.begin() as conn:  # as a newer release would leave it
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    # An older release on a newer database: one line, for every command that opens it.
    assert main(["migrate", "--to", previous]) == 1
    assert main(["migrate"]) == 1
    for err in capsys.readouterr().err.splitlines():
        assert err.startswith(
            "firebell: cannot start: the database is at migration 9999, newer than this "
            f"release knows (its latest is {head}): run the release that migrated it"
        )
    db.dispose()


def test_the_revisions_read_from_the_scripts_are_alembics() -> None:
    # Start-up reads them without importing Alembic; a migration runs with Alembic.
    from storage.migrate import _alembic_revisions, head_revision, shipped

    assert shipped() == _alembic_revisions()
    assert head_revision() == shipped()[-1]
