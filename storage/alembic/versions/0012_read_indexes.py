"""indexes that keep reads flat in the data: open issues, a person's issues, follow-ups
by creation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 19:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

# storage/models.py's OPEN_ISSUE_SQL, as it was when this migration was written.
OPEN_ISSUE_SQL = "status IN ('new', 'assigned', 'revise', 'retest', 'fixed')"


def upgrade() -> None:
    op.create_index(
        'ix_issues_open',
        'issues',
        ['number'],
        sqlite_where=sa.text(OPEN_ISSUE_SQL),
        postgresql_where=sa.text(OPEN_ISSUE_SQL),
    )
    op.create_index('ix_participants_user', 'participants', ['user_id', 'issue_id'])
    op.create_index('ix_followups_created', 'followups', ['created_at'])


def downgrade() -> None:
    op.drop_index('ix_followups_created', table_name='followups')
    op.drop_index('ix_participants_user', table_name='participants')
    op.drop_index('ix_issues_open', table_name='issues')
