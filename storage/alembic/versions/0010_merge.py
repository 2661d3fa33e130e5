"""duplicates, merges and links

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-24 21:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch copy): other tables' keys point at issues.
    op.add_column('issues', sa.Column('merged_into_id', sa.Integer(), nullable=True))
    if op.get_bind().dialect.name == 'postgresql':
        op.create_foreign_key(
            'fk_issues_merged_into', 'issues', 'issues', ['merged_into_id'], ['id']
        )
    op.add_column(
        'participants',
        sa.Column('muted', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        'duplicate_suggestions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Float(), nullable=False),
        sa.Column('reasons', sa.JSON(), nullable=False),
        sa.Column('state', sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.ForeignKeyConstraint(['candidate_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('issue_id', 'candidate_id', name='uq_duplicate_pair'),
    )
    op.create_table(
        'issue_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('first_id', sa.Integer(), nullable=False),
        sa.Column('second_id', sa.Integer(), nullable=False),
        sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column('created_at', storage.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['first_id'], ['issues.id']),
        sa.ForeignKeyConstraint(['second_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('first_id', 'second_id', name='uq_issue_link'),
    )


def downgrade() -> None:
    op.drop_table('issue_links')
    op.drop_table('duplicate_suggestions')
    op.execute('ALTER TABLE participants DROP COLUMN muted')
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_constraint('fk_issues_merged_into', 'issues', type_='foreignkey')
    op.execute('ALTER TABLE issues DROP COLUMN merged_into_id')
