"""issue_vectors: each issue's title as the duplicate finder's multilingual model
reads it (bot/triage/semantic.py)

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString


def upgrade() -> None:
    op.create_table(
        'issue_vectors',
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.Column('model', STRING(length=60), nullable=False),
        sa.Column('vector', sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id']),
        sa.PrimaryKeyConstraint('issue_id'),
    )


def downgrade() -> None:
    op.drop_table('issue_vectors')
