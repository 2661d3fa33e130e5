"""page DMs kept for editing, and why an escalation pages

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 17:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'page_dms',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('ts', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('posted_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('settled_at', storage.types.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_page_dms_issue', 'page_dms', ['issue_id'])
    # Plain ADD COLUMN (no batch copy): a running escalation keeps its row.
    op.add_column(
        'escalations',
        sa.Column('on_open', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        'escalations',
        sa.Column('forced_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
    )


def downgrade() -> None:
    op.execute('ALTER TABLE escalations DROP COLUMN forced_by')
    op.execute('ALTER TABLE escalations DROP COLUMN on_open')
    op.drop_index('ix_page_dms_issue', table_name='page_dms')
    op.drop_table('page_dms')
