"""The search index on its own: documents for issues filed before search existed,
any-word queries, text that is query syntax in FTS5 or tsquery, and how many
documents hold a word."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlmodel import col, select

from bot.triage import search
from bot.triage.search import SearchIndex, words_of
from storage.db import Database
from storage.models import Issue


def add(db: Database, number: int, title: str, **fields: object) -> None:
    with db.session() as session:
        session.add(
            Issue(
                number=number,
                idempotency_key=f"k{number}",
                title=title,
                type="bug",
                severity="minor",
                reporter_id="U1",
                created_at=datetime(2026, 1, 1, tzinfo=UTC),
                **fields,  # type: ignore[arg-type]
            )
        )


def test_issues_filed_before_search_are_indexed_once(db: Database) -> None:
    add(db, 1, "Login loops on SSO", description="SAML assertion expired")
    add(db, 2, "Export to CSV is slow")
    index = SearchIndex(db)
    assert index.reindex_missing() == 2
    assert index.reindex_missing() == 0
    with db.session() as session:
        assert [h.issue_id for h in index.search(session, "saml")] == [1]
        assert index.search(session, "saml export") == []  # every word
        found = {h.issue_id for h in index.search(session, "saml export", any_word=True)}
        assert found == {1, 2}


def test_query_syntax_is_only_words(db: Database) -> None:
    add(db, 1, 'Quote " and NEAR( and * in a title')
    index = SearchIndex(db)
    index.reindex_missing()
    assert words_of('a"b OR c* NEAR(d) -e_f') == ["a", "b", "or", "c", "near", "d", "e", "f"]
    with db.session() as session:
        for hostile in ('"', "NEAR(", "*", "a OR", "-", "'", "&|!", "::"):
            index.search(session, hostile)  # never a syntax error
        assert [h.issue_id for h in index.search(session, 'near" quote')] == [1]


def test_a_stopping_process_leaves_the_rest_for_its_next_start(db: Database) -> None:
    for number in range(1, 6):
        add(db, number, f"Checkout fails {number}")
    index = SearchIndex(db)
    seen: list[tuple[int, int]] = []
    stopping = iter([False, True])  # asked before each batch: one batch, then stop
    done = index.reindex_missing(2, lambda: next(stopping), lambda *p: seen.append(p))
    assert done == 2 and seen == [(2, 1)]
    assert index.reindex_missing(2) == 3  # the next start indexes the rest


def analyze(db: Database) -> None:
    """PostgreSQL's counts are its planner's statistics: autovacuum's ANALYZE, here now."""
    if db.is_postgres:
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE issue_search")
            )


def test_word_counts_are_the_index_s_own_and_follow_filings_and_edits(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search, "STATISTICS_KEPT", 0.0)  # PostgreSQL's: read again each time
    for number in range(1, 7):
        add(db, number, f"Checkout fails on step {number}")
    add(db, 7, "Kafka rebalance storm", description="checkout consumers")
    index = SearchIndex(db)
    index.reindex_missing()
    analyze(db)
    with db.session() as session:
        held = index.documents_with(session, ["checkout", "kafka", "zeppelin"])
        assert held["checkout"] > held["kafka"] >= 1
        if not db.is_postgres:  # exact on SQLite; PostgreSQL's: a rare word is 1
            assert held == {"checkout": 7, "kafka": 1, "zeppelin": 0}
            # the report's own document is not counted for it
            assert index.documents_with(session, ["kafka"], besides=7) == {"kafka": 0}
    with db.session() as session:  # edited: the index, so its counts, follow
        for issue in session.exec(select(Issue).where(col(Issue.number) <= 5)):
            issue.title = "Kafka lag on the orders topic"
            index.write(session, issue)
    analyze(db)
    with db.session() as session:
        held = index.documents_with(session, ["checkout", "kafka"])
        assert held["kafka"] > held["checkout"]
        if not db.is_postgres:
            assert held == {"checkout": 2, "kafka": 6}
