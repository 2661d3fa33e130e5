"""issue_terms: each issue's words as the duplicate finder weighs them, written with its
search document (bot/triage/terms.py); issues without a row are counted when first
compared, and stored then

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06 01:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'issue_terms',
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.Column('terms', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('issue_id'),
    )


def downgrade() -> None:
    op.drop_table('issue_terms')
