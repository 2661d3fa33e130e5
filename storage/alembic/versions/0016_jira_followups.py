"""jira_followups: the Jira issue of each exported review follow-up

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'jira_followups',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('followup_id', sa.Integer(), nullable=False),
        sa.Column('jira_key', STRING(length=40), nullable=False),
        sa.Column('jira_id', STRING(length=40), nullable=False),
        sa.Column('url', STRING(length=500), nullable=False),
        sa.Column('created_at', UTC(timezone=True), nullable=False),
        sa.Column('linked_to', STRING(length=40), nullable=True),
        sa.ForeignKeyConstraint(['followup_id'], ['followups.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('followup_id', name='uq_jira_followups_followup'),
        sa.UniqueConstraint('jira_key', name='uq_jira_followups_key'),
    )


def downgrade() -> None:
    op.drop_table('jira_followups')
