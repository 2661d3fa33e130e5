"""triage_settings: values tuned on an installation's own answers; the gate's
confidence stored with each duplicate suggestion

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-12 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

import storage.types

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

STRING = sqlmodel.sql.sqltypes.AutoString
UTC = storage.types.UTCDateTime


def upgrade() -> None:
    op.create_table(
        'triage_settings',
        sa.Column('name', STRING(length=40), nullable=False),
        sa.Column('value', sa.Float(), nullable=False),
        sa.Column('updated_at', UTC(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    with op.batch_alter_table('duplicate_suggestions') as batch:
        batch.add_column(sa.Column('confidence', sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('duplicate_suggestions') as batch:
        batch.drop_column('confidence')
    op.drop_table('triage_settings')
