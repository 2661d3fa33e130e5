"""rollups for insights: per-issue status times, the pages sent, drills marked

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 20:40:00

Existing issues get their rollup from their timeline, once, here: after this,
the rollups are written as issues change and the timeline is never read for a
figure. Pages sent before this revision are not in the on-call load (the
ledger did not record whom a schedule resolved to).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

STATUSES = ("new", "assigned", "revise", "retest", "fixed")


def upgrade() -> None:
    rollups = op.create_table(
        'issue_metrics',
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('status_since', storage.types.UTCDateTime(timezone=True), nullable=False),
        *[sa.Column(f'seconds_{s}', sa.Float(), nullable=False) for s in STATUSES],
        sa.Column('reopens', sa.Integer(), nullable=False),
        sa.Column('retest_revise_loops', sa.Integer(), nullable=False),
        sa.Column('suspect_deploy_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.ForeignKeyConstraint(['suspect_deploy_id'], ['deploys.id']),
        sa.PrimaryKeyConstraint('issue_id'),
    )
    op.create_index('ix_issue_metrics_deploy', 'issue_metrics', ['suspect_deploy_id'])
    op.create_table(
        'pages_sent',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=True),
        sa.Column('target_kind', sqlmodel.sql.sqltypes.AutoString(length=12), nullable=False),
        sa.Column('target', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.Column('schedule', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column('at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('hours', sqlmodel.sql.sqltypes.AutoString(length=8), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_pages_sent_at', 'pages_sent', ['at'])
    op.create_index('ix_deploys_at', 'deploys', ['deployed_at'])
    # Not batch mode (see downgrade): SQLite adds a column with a default in place.
    op.add_column(
        'issues',
        sa.Column('exclude_from_metrics', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    _backfill(op.get_bind(), rollups)


def _backfill(bind: sa.engine.Connection, rollups: sa.Table) -> None:
    """One rollup row per existing issue, replayed from its status events."""
    when = storage.types.UTCDateTime()
    dialect = bind.dialect

    def aware(value: Any) -> datetime:
        found = when.process_result_value(value, dialect)
        assert found is not None
        return found

    meta = sa.MetaData()
    issues = sa.Table('issues', meta, autoload_with=bind)
    events = sa.Table('timeline_events', meta, autoload_with=bind)
    deploys = sa.Table('deploys', meta, autoload_with=bind)
    moves: dict[int, list[tuple[datetime, str, Any]]] = {}
    status_kinds = ('status_changed', 'reopened', 'recent_deploys')
    for issue_id, at, kind, payload in bind.execute(
        sa.select(events.c.issue_id, events.c.at, events.c.kind, events.c.payload)
        .where(events.c.kind.in_(status_kinds))
        .order_by(events.c.issue_id, events.c.at, events.c.id)
    ):
        moves.setdefault(issue_id, []).append((aware(at), kind, payload or {}))
    rows = []
    for issue_id, created_at in bind.execute(sa.select(issues.c.id, issues.c.created_at)):
        row: dict[str, Any] = {f'seconds_{s}': 0.0 for s in STATUSES}
        row.update(issue_id=issue_id, reopens=0, retest_revise_loops=0, suspect_deploy_id=None)
        since, current = aware(created_at), 'new'
        for at, kind, payload in moves.get(issue_id, []):
            if kind == 'recent_deploys':
                row['suspect_deploy_id'] = _deploy_id(bind, deploys, payload)
                continue
            if current in STATUSES:
                row[f'seconds_{current}'] += max(0.0, (at - since).total_seconds())
            before, after = payload.get('before'), payload.get('after', current)
            row['reopens'] += kind == 'reopened'
            row['retest_revise_loops'] += before == 'retest' and after == 'revise'
            since, current = at, after
        row['status_since'] = since if since.tzinfo else since.replace(tzinfo=UTC)
        rows.append(row)
    if rows:
        op.bulk_insert(rollups, rows)


def _deploy_id(bind: sa.engine.Connection, deploys: sa.Table, payload: dict[str, Any]) -> Any:
    versions = payload.get('versions') or []
    if not versions or not payload.get('service'):
        return None
    return bind.execute(
        sa.select(deploys.c.id)
        .where(deploys.c.service == payload['service'], deploys.c.version == versions[0])
        .order_by(deploys.c.deployed_at.desc())
        .limit(1)
    ).scalar()


def downgrade() -> None:
    # Not batch mode: SQLite would copy `issues`, which other tables' keys point at.
    # SQLite has dropped columns in place since 3.35.
    op.execute('ALTER TABLE issues DROP COLUMN exclude_from_metrics')
    op.drop_index('ix_deploys_at', table_name='deploys')
    op.drop_index('ix_pages_sent_at', table_name='pages_sent')
    op.drop_table('pages_sent')
    op.drop_index('ix_issue_metrics_deploy', table_name='issue_metrics')
    op.drop_table('issue_metrics')
