"""Likely duplicates of a report a person just filed, found at intake among open and
closed issues of any age (a report like one closed two months ago is a likely
regression), stored so a "not a duplicate" answer is remembered.

Candidates come from the full-text index (any of the report's words), the same
service within three days, and the same trace ID; similarity.py scores them and
gate.py decides which are shown. `ranked_candidates` is the one function every
surface asks (intake, the benchmark). A private issue is only suggested to a
reporter who is in it; an issue merged into another is never a candidate.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session, and_, col, or_, select

from bot.core.membership import can_see
from bot.core.reporters import is_person
from bot.triage.gate import shown
from bot.triage.search import SearchIndex
from bot.triage.similarity import RANKED_AT_MOST, Likeness, Report, ranked
from storage.models import DuplicateSuggestion, Issue

SAME_SERVICE_WITHIN = timedelta(days=3)
FROM_SEARCH = 200


def report_of(issue: Issue) -> Report:
    assert issue.id is not None
    return Report(
        issue.id,
        issue.title,
        issue.description,
        issue.stack_trace,
        issue.trace_id,
        issue.service,
        issue.type,
        issue.created_at,
    )


def candidates(session: Session, index: SearchIndex, issue: Issue) -> list[Issue]:
    """Issues, open or closed, that may be the same as `issue`."""
    assert issue.id is not None
    query = " ".join(filter(None, [issue.title, (issue.description or "")[:500]]))
    ids = {hit.issue_id for hit in index.search(session, query, FROM_SEARCH, any_word=True)}
    nearby = [col(Issue.trace_id) == issue.trace_id] if issue.trace_id else []
    if issue.service:
        nearby.append(
            and_(
                col(Issue.service) == issue.service,
                col(Issue.created_at) >= issue.created_at - SAME_SERVICE_WITHIN,
            )
        )
    if nearby:
        ids |= {i for i in session.exec(select(Issue.id).where(or_(*nearby))).all() if i}
    ids.discard(issue.id)
    dismissed = set(
        session.exec(
            select(DuplicateSuggestion.candidate_id).where(
                DuplicateSuggestion.issue_id == issue.id, DuplicateSuggestion.state == "dismissed"
            )
        )
    )
    if not ids - dismissed:
        return []
    found = session.exec(
        select(Issue).where(
            col(Issue.id).in_(ids - dismissed),
            col(Issue.merged_into_id).is_(None),
        )
    ).all()
    return [c for c in found if can_see(session, issue.reporter_id, c)]


def ranked_candidates(
    session: Session, index: SearchIndex, issue: Issue, limit: int = RANKED_AT_MOST
) -> list[tuple[Issue, Likeness]]:
    """The issues most like `issue`, best first, each with its score and reasons (no
    gate: `gate.shown` picks what a person sees)."""
    pool = {c.id: c for c in candidates(session, index, issue)}
    best = ranked(report_of(issue), [report_of(c) for c in pool.values()], limit)
    return [(pool[int(old.id)], alike) for old, alike in best]


def find_duplicates(
    session: Session, index: SearchIndex, issue: Issue
) -> list[DuplicateSuggestion]:
    """Score the candidates and store the best few as suggestions (once per pair)."""
    assert issue.id is not None
    if not is_person(issue.reporter_id):
        return []  # alerts are deduplicated by fingerprint
    stored = []
    for old, alike in shown(ranked_candidates(session, index, issue)):
        row = DuplicateSuggestion(
            issue_id=issue.id,
            candidate_id=int(old.id or 0),
            score=round(alike.score, 3),
            reasons=list(alike.reasons),
            created_at=issue.created_at,
        )
        session.add(row)
        stored.append(row)
    return stored
