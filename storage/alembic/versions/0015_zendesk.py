"""zendesk tickets tied to issues

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-05 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'zendesk_tickets',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.BigInteger(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('requester_id', STRING(length=24), nullable=False),
        sa.Column('url', STRING(length=500), nullable=False),
        sa.Column('joined', sa.Boolean(), nullable=False),
        sa.Column('comments', sa.Integer(), nullable=False),
        sa.Column('created_at', UTC(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id', name='uq_zendesk_tickets_ticket'),
    )
    op.create_index('ix_zendesk_tickets_issue', 'zendesk_tickets', ['issue_id'])


def downgrade() -> None:
    op.drop_index('ix_zendesk_tickets_issue', table_name='zendesk_tickets')
    op.drop_table('zendesk_tickets')
