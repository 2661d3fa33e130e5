"""an index on issues.trace_id: the duplicate finder reads a report's trace ID's issues
at every filing (without it, a scan of every issue: 13 ms at 100k on SQLite)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-05 22:20:00
"""

from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_issues_trace', 'issues', ['trace_id'])


def downgrade() -> None:
    op.drop_index('ix_issues_trace', table_name='issues')
