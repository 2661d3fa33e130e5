"""indexes for insights: open issues by status, issues by filing time

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 16:55:00
"""

from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_issues_status", "issues", ["status", "severity", "type"])
    op.create_index("ix_issues_created", "issues", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_issues_created", table_name="issues")
    op.drop_index("ix_issues_status", table_name="issues")
