"""reports from outside Slack: attachments, status links, status page posts, report context

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'attachments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('name', STRING(length=255), nullable=False),
        sa.Column('content_type', STRING(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=True),
        sa.Column('slack_file_id', STRING(length=32), nullable=True),
        sa.Column('origin', STRING(length=20), nullable=False),
        sa.Column('added_by', STRING(length=32), nullable=True),
        sa.Column('added_at', UTC(timezone=True), nullable=False),
        sa.Column('posted_file_id', STRING(length=32), nullable=True),
        sa.Column('posted_at', UTC(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('issue_id', 'slack_file_id', name='uq_attachments_slack_file'),
    )
    op.create_index('ix_attachments_issue', 'attachments', ['issue_id'])
    op.create_table(
        'report_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('token', STRING(length=64), nullable=False),
        sa.Column('site', STRING(length=40), nullable=False),
        sa.Column('client_report_id', STRING(length=80), nullable=False),
        sa.Column('email', STRING(length=254), nullable=True),
        sa.Column('created_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token'),
        sa.UniqueConstraint('site', 'client_report_id', name='uq_report_links_client_report'),
    )
    op.create_index('ix_report_links_issue', 'report_links', ['issue_id'])
    op.create_table(
        'status_posts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('status', STRING(length=20), nullable=False),
        sa.Column('posted_by', STRING(length=32), nullable=True),
        sa.Column('posted_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_status_posts_issue', 'status_posts', ['issue_id', 'posted_at'])
    # Plain ADD COLUMN (no batch copy): a large issues table is not rewritten.
    op.add_column('issues', sa.Column('context', sa.JSON(), nullable=True))


def downgrade() -> None:
    op.execute('ALTER TABLE issues DROP COLUMN context')
    op.drop_index('ix_status_posts_issue', table_name='status_posts')
    op.drop_table('status_posts')
    op.drop_index('ix_report_links_issue', table_name='report_links')
    op.drop_table('report_links')
    op.drop_index('ix_attachments_issue', table_name='attachments')
    op.drop_table('attachments')
