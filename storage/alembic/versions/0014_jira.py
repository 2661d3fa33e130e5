"""jira: the Jira issue of each Firebell issue

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 22:30:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'jira_issues',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('jira_key', STRING(length=40), nullable=False),
        sa.Column('jira_id', STRING(length=40), nullable=False),
        sa.Column('project', STRING(length=20), nullable=False),
        sa.Column('url', STRING(length=500), nullable=False),
        sa.Column('created_at', UTC(timezone=True), nullable=False),
        sa.Column('sent_status', STRING(length=255), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('issue_id', name='uq_jira_issues_issue'),
        sa.UniqueConstraint('jira_key', name='uq_jira_issues_key'),
    )


def downgrade() -> None:
    op.drop_table('jira_issues')
