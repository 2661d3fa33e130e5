"""full-text search over issues: FTS5 on SQLite, tsvector with a GIN index on PostgreSQL

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 21:00:00

One document per issue (title, description, stack trace, service, updates, pinned
messages), written by the app in the transaction that changes the issue. Existing
issues are indexed by the next `firebell migrate` start (triage/search.py
`reindex_missing`), not here: the document is built by application code.
"""

from __future__ import annotations

from alembic import op

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE TABLE issue_search ("
            " issue_id integer PRIMARY KEY REFERENCES issues(id),"
            " document text NOT NULL,"
            " tsv tsvector GENERATED ALWAYS AS (to_tsvector('english', document)) STORED)"
        )
        op.execute("CREATE INDEX ix_issue_search_tsv ON issue_search USING gin (tsv)")
    else:
        # rowid is the issue id. Porter stemming on unicode61 words, accents folded:
        # close to PostgreSQL's 'english' configuration.
        op.execute(
            "CREATE VIRTUAL TABLE issue_search USING fts5("
            "document, tokenize = 'porter unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    op.execute('DROP TABLE issue_search')
