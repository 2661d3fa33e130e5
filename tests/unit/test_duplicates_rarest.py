"""The finder asks the index for a report's rarest words only, once asking them all
would rank more documents than it ranks quickly: the duplicate is still found by the
rare words it shares, and the common ones are not asked."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.triage import duplicates
from bot.triage.duplicates import ranked_candidates, rarest_of
from bot.triage.search import SearchIndex
from storage.db import Database
from storage.models import Issue

AT = datetime(2026, 1, 1, tzinfo=UTC)


def issue(number: int, title: str, description: str = "") -> Issue:
    return Issue(
        number=number,
        idempotency_key=f"k{number}",
        title=title,
        description=description,
        type="bug",
        severity="minor",
        reporter_id="U1",
        created_at=AT,
    )


def test_the_rarest_words_are_asked_and_still_find_the_duplicate(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    with db.session() as session:
        for number in range(1, 21):  # "checkout" and "slow" everywhere
            session.add(issue(number, f"Checkout slow for region {number}", "checkout slow"))
        session.add(issue(21, "Checkout slow during kafka rebalance", "consumer rebalance"))
    index = SearchIndex(db)
    index.reindex_missing()
    if db.is_postgres:  # its counts are the planner's statistics
        with db.engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("ANALYZE issue_search")
            )
    # the cut as at 100k issues, where "checkout" alone is 11k documents
    index.ranks_quickly = 3
    monkeypatch.setattr(duplicates, "RAREST_AT_LEAST", 2)
    with db.session() as session:
        report = issue(22, "Checkout is slow since the kafka rebalance", "rebalance again")
        session.add(report)
        session.flush()
        asked = set(rarest_of(session, index, report).split())
        # "since" is in no document: SQLite knows; PostgreSQL's statistics only say rare
        assert asked - {"since"} == {"kafka", "rebalance"}
        best = ranked_candidates(session, index, report)
        assert best[0][0].number == 21
        session.rollback()
    index.ranks_quickly = 10_000
    with db.session() as session:  # where every word is cheap, all are asked
        report = issue(22, "Checkout is slow since the kafka rebalance", "rebalance again")
        session.add(report)
        session.flush()
        asked = set(rarest_of(session, index, report).split())
        assert asked - {"since"} == {"checkout", "slow", "kafka", "rebalance"}
        session.rollback()


def test_a_trace_id_on_many_issues_brings_only_the_newest(db: Database) -> None:
    """An alert storm can stamp one trace ID on hundreds of issues: the finder takes
    the newest NEARBY_AT_MOST of them, not all, for the at most 3 it shows."""
    from datetime import timedelta

    with db.session() as session:
        for number in range(1, 81):
            old = issue(number, f"Gateway timeout {number}")
            old.trace_id, old.created_at = "4bf92f3577b34da6", AT + timedelta(minutes=number)
            session.add(old)
    index = SearchIndex(db)
    index.reindex_missing()
    with db.session() as session:
        report = issue(81, "Spinner forever")  # no word in common: the trace ID alone
        report.trace_id, report.created_at = "4bf92f3577b34da6", AT + timedelta(hours=3)
        session.add(report)
        session.flush()
        best = ranked_candidates(session, index, report)
        numbers = {old.number for old, _ in best}
        assert len(best) == 10 and min(numbers) > 30  # among the newest 50
        assert all(alike.reasons == ("the same trace ID",) for _, alike in best)
        session.rollback()
