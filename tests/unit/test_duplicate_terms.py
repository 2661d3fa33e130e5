"""Each issue's terms are stored with its search document, and the finder reads a
candidate's stored bag instead of its text: the same ranking either way; an issue
without a current bag (filed before they were stored, or counted another way since)
is counted from its text once and stored then."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import select

from bot.core.timeline import SEARCH_DIRTY
from bot.triage import terms
from bot.triage.duplicates import ranked_candidates
from bot.triage.search import SearchIndex
from storage.db import Database
from storage.models import Issue, IssueTerms

AT = datetime(2026, 1, 1, tzinfo=UTC)
TRACE = 'Traceback (most recent call last):\n  File "/srv/pay/gateway.py", line 88, in capture\n'


def issue(number: int, title: str, description: str = "", stack: str | None = None) -> Issue:
    return Issue(
        number=number,
        idempotency_key=f"k{number}",
        title=title,
        description=description,
        stack_trace=stack,
        service="payments",
        type="bug",
        severity="minor",
        reporter_id="U1",
        created_at=AT,
    )


OLDER = [
    ("Card payments fail at capture", "customers see an error", TRACE),
    ("Refunds are slow", "refund queue backs up", None),
    ("Invoice PDF shows wrong totals", "totals off by tax", None),
]


def ranking(db: Database, index: SearchIndex) -> list[tuple[int, float, tuple[str, ...]]]:
    """A new report's candidates, the report not kept; what the finder stored, kept."""
    with db.session() as session:
        report = issue(9, "Payments failing at capture", "error for every card", TRACE)
        session.add(report)
        session.flush()
        best = ranked_candidates(session, index, report)
        found = [(old.number, alike.score, alike.reasons) for old, alike in best]
        session.execute(text("DELETE FROM issue_vectors WHERE issue_id = :id"), {"id": report.id})
        session.delete(report)
    return found


def test_bags_are_stored_at_filing_and_rank_as_the_text_does(db: Database) -> None:
    index = SearchIndex(db)
    index.attach()
    with db.session() as session:
        for number, (title, description, stack) in enumerate(OLDER, 1):
            session.add(issue(number, title, description, stack))
            session.flush()
            session.info.setdefault(SEARCH_DIRTY, set()).add(number)  # as filing marks it
    with db.session() as session:
        stored = {row.issue_id: row for row in session.exec(select(IssueTerms))}
    assert set(stored) == {1, 2, 3} and {r.version for r in stored.values()} == {terms.VERSION}
    first = stored[1].terms
    assert first["capture"] == 3 and first["frame:gateway.py:capture"] == 3  # title x3, frame
    assert first["service:payments"] == 1

    from_bags = ranking(db, index)
    assert from_bags[0][0] == 1 and "same stack frame `gateway.py:capture`" in from_bags[0][2]

    with db.session() as session:  # as before migration 0020, and counted another way
        session.execute(text("DELETE FROM issue_terms WHERE issue_id = 1"))
        session.execute(text("UPDATE issue_terms SET version = 0 WHERE issue_id = 2"))
    assert ranking(db, index) == from_bags  # counted from their text: the same ranking
    with db.session() as session:  # and stored then, for the next report
        again = {row.issue_id: row for row in session.exec(select(IssueTerms))}
    assert again[1].terms == first and again[2].version == terms.VERSION
    assert again[2].terms == stored[2].terms


def test_filling_in_never_overwrites_a_current_bag(db: Database) -> None:
    """A bag of this version is never written again (the text it was counted from is
    never edited): not by a finder that read the text earlier, not at every update."""
    with db.session() as session:
        session.add(issue(1, "Refunds are slow"))
        session.flush()
        terms.store(session, [terms.report_of(session.get(Issue, 1))])  # type: ignore[arg-type]
        earlier = issue(1, "Something else entirely")
        earlier.id = 1
        stale = terms.report_of(earlier)
        terms.store(session, [stale])
        bag = session.exec(select(IssueTerms)).one().terms
    assert "refund" in bag and "entirely" not in bag
