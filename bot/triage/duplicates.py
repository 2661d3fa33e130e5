"""Likely duplicates of a report a person just filed, found at intake among open and
closed issues of any age (a report like one closed two months ago is a likely
regression), stored so a "not a duplicate" answer is remembered.

Candidates come from the full-text index (any of up to 12 content words), the same
service within three days and the same trace ID (the newest 50 of each) and, with the
multilingual model (semantic.py, which also stores the issue's vector here), the 20
titles nearest in meaning; similarity.py scores them (each candidate's terms read as
terms.py stored them) and gate.py decides which are shown. `ranked_candidates` is the
one function every surface asks (intake, the benchmark). A private issue is only
suggested to a reporter who is in it; an issue merged into another is never a candidate.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select as columns
from sqlmodel import Session, and_, col, select

from bot.core.membership import seen_by
from bot.core.reporters import is_external, is_person
from bot.triage import semantic, terms
from bot.triage.gate import THRESHOLD, confidence, shown
from bot.triage.search import SearchIndex
from bot.triage.semantic import Meaning
from bot.triage.similarity import NOISE, RANKED_AT_MOST, STOP, WORD, Likeness, Report, ranked
from bot.triage.terms import report_of
from storage.models import DuplicateSuggestion, Issue, IssueTerms

SAME_SERVICE_WITHIN = timedelta(days=3)
# Of the issues sharing the trace ID, or the service within three days, the newest so
# many: a trace ID an alert storm stamped on 800 issues made those reports rank 800
# candidates of one score (the finder's p95 at 100k issues), for at most 3 shown.
NEARBY_AT_MOST = 50
FROM_SEARCH = 200
# The index ranks every document holding any word asked: its time grows with the
# words' postings, so the title's words and the description's first few, 12 in all,
# and of those only the rarest the index ranks quickly (`rarest_of`).
QUERY_WORDS = 12
RAREST_AT_LEAST = 4
# While a title is typed: up to five, and a lower bar than at intake (a title alone
# has few words to agree on; the person decides, nothing is stored).
SUGGEST_AT_MOST = 5
SUGGEST_FROM = 0.1


def query_of(issue: Issue) -> str:
    """The words the full-text index is asked for: the title's then the description's,
    each once, without the stop words and ids the score ignores anyway. A stop word
    matches nearly every document, and ranking every match was most of the finder's
    time at 100k issues."""
    seen: dict[str, None] = {}
    for text in (issue.title, (issue.description or "")[:500]):
        for word in WORD.findall(text.lower()):
            if word not in STOP and not NOISE.match(word):
                seen.setdefault(word, None)
    return " ".join(list(seen)[:QUERY_WORDS])


def rarest_of(session: Session, index: SearchIndex, issue: Issue) -> str:
    """Of `query_of`'s words, the rarest in the index first, as many as it ranks
    quickly (`SearchIndex.ranks_quickly` documents, and at least the RAREST_AT_LEAST
    rarest words); none that only the report's own document holds. The index ranks
    every document holding any word asked, so its time is the asked words' postings,
    and a common word costs the most and tells the least: at 100k issues "checkout"
    is in 11k. Where every word is cheap (GitBugs, a team's first years) all are
    asked, as before."""
    words = query_of(issue).split()
    held = index.documents_with(session, words, besides=issue.id)
    asked: list[str] = []
    postings = 0
    for word in sorted((w for w in words if held.get(w)), key=lambda w: held[w]):
        postings += held[word]
        if len(asked) >= RAREST_AT_LEAST and postings > index.ranks_quickly:
            break
        asked.append(word)
    return " ".join(asked)


def candidates(
    session: Session,
    index: SearchIndex,
    issue: Issue,
    meaning: Meaning | None = None,
    keep_dismissed: bool = False,
) -> list[Report]:
    """Issues, open or closed, that may be the same as `issue`, as the scorer reads
    them (only the columns it reads: building a full Issue for each of ~200 candidates
    cost more than scoring them). With `meaning`: the titles nearest in meaning too,
    read through the same visibility rule as the others. A pair answered "Not a
    duplicate" is left out, but in a replay of the answers (`keep_dismissed`)."""
    assert issue.id is not None
    hits = index.search(session, rarest_of(session, index, issue), FROM_SEARCH, any_word=True)
    ids = {hit.issue_id for hit in hits}
    if meaning is not None:
        ids |= set(meaning.nearest())
    nearby = [col(Issue.trace_id) == issue.trace_id] if issue.trace_id else []
    if issue.service:
        nearby.append(
            and_(
                col(Issue.service) == issue.service,
                col(Issue.created_at) >= issue.created_at - SAME_SERVICE_WITHIN,
            )
        )
    for near in nearby:  # each by its index: as one OR, trace_id = ? scanned every issue
        filed_before = col(Issue.id) < issue.id  # as below: the newest 50 of those
        newest = select(Issue.id).where(near, filed_before).order_by(col(Issue.created_at).desc())
        ids |= {i for i in session.exec(newest.limit(NEARBY_AT_MOST)).all() if i}
    ids.discard(issue.id)
    dismissed = (
        set()
        if keep_dismissed
        else set(
            session.exec(
                select(DuplicateSuggestion.candidate_id).where(
                    DuplicateSuggestion.issue_id == issue.id,
                    DuplicateSuggestion.state == "dismissed",
                )
            )
        )
    )
    if not ids - dismissed:
        return []
    return as_scored(
        session,
        ids - dismissed,
        # Filed before it: the finder runs after the filing commits, when a later
        # report may already be in (it will find this one, not the other way round).
        col(Issue.id) < issue.id,
        col(Issue.merged_into_id).is_(None),
        seen_by(issue.reporter_id),  # the one rule (can_see), as a condition
    )


def as_scored(session: Session, ids: set[int], *where: Any) -> list[Report]:
    """Of `ids`, the issues that meet `where`, as the scorer reads them: their keys and
    stored terms (terms.py), not their text; an issue with no current terms is counted
    from its text, once, and its terms stored then."""
    if not ids:
        return []
    rows = session.execute(
        columns(*KEYS, col(IssueTerms.version), col(IssueTerms.terms))
        .select_from(Issue)
        .outerjoin(IssueTerms, col(IssueTerms.issue_id) == col(Issue.id))
        .where(col(Issue.id).in_(ids), *where)
    ).all()
    found = [
        Report(i, "", trace_id=t, service=s, type=k, created_at=at, terms=bag)
        for i, t, s, k, at, version, stored in rows
        if (bag := terms.current(version, stored)) is not None
    ]
    uncounted = [row[0] for row in rows if terms.current(row[5], row[6]) is None]
    if uncounted:  # filed before their terms were stored: counted from their text, once
        texts = [
            Report(*row)
            for row in session.execute(columns(*REPORT_COLUMNS).where(col(Issue.id).in_(uncounted)))
        ]
        terms.store(session, texts)
        found += texts
    return found


# What the scorer reads of a candidate beside its terms, and its text when it has none.
KEYS = tuple(
    col(c) for c in (Issue.id, Issue.trace_id, Issue.service, Issue.type, Issue.created_at)
)
REPORT_COLUMNS = tuple(
    col(c)
    for c in (
        Issue.id,
        Issue.title,
        Issue.description,
        Issue.stack_trace,
        Issue.trace_id,
        Issue.service,
        Issue.type,
        Issue.created_at,
    )
)


def ranked_candidates(
    session: Session,
    index: SearchIndex,
    issue: Issue,
    limit: int = RANKED_AT_MOST,
    keep_dismissed: bool = False,
) -> list[tuple[Issue, Likeness]]:
    """The issues most like `issue`, best first, each with its score and reasons (no
    gate: `gate.shown` picks what a person sees)."""
    meaning = semantic.read(session, issue)
    pool = candidates(session, index, issue, meaning, keep_dismissed)
    cosines = meaning.closeness(session, (int(r.id) for r in pool)) if meaning else None
    return as_issues(session, ranked(report_of(issue), pool, limit, cosines))


def as_issues(
    session: Session, best: list[tuple[Report, Likeness]]
) -> list[tuple[Issue, Likeness]]:
    """The ranked candidates as whole issues (read only for the few ranked)."""
    chosen = [int(old.id) for old, _ in best]
    found = {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(chosen)))}
    return [(found[int(old.id)], alike) for old, alike in best if int(old.id) in found]


def compared(issue: Issue) -> bool:
    """Whether the finder looks for duplicates of `issue` (see `compared_for`)."""
    return compared_for(issue.reporter_id)


def compared_for(reporter_id: str) -> bool:
    """Whether the finder looks for duplicates of what `reporter_id` files: a person's
    report, or one from someone outside Slack; alerts are deduplicated by fingerprint."""
    return is_person(reporter_id) or is_external(reporter_id)


def find_duplicates(
    session: Session, index: SearchIndex, issue: Issue, threshold: float = THRESHOLD
) -> list[DuplicateSuggestion]:
    """Score the candidates and store the best few as suggestions (once per pair), each
    with the gate's confidence (what `firebell triage tune` tunes the threshold on)."""
    assert issue.id is not None
    if not compared(issue):
        return []
    stored = []
    best = ranked_candidates(session, index, issue)
    sure = round(confidence(best), 3)
    for old, alike in shown(best, threshold):
        row = DuplicateSuggestion(
            issue_id=issue.id,
            candidate_id=int(old.id or 0),
            score=round(alike.score, 3),
            confidence=sure,
            reasons=list(alike.reasons),
            created_at=issue.created_at,
        )
        session.add(row)
        stored.append(row)
    return stored


# While a title is typed (the web report form) more is shown than at intake: the person
# is looking for it, as in GitHub's "similar issues", and a wrong one costs a glance.
TYPED_AT_MOST = 5
TYPED_FROM = 0.1


def similar_to_text(
    session: Session, index: SearchIndex, text: str, user_id: str, now: datetime
) -> list[tuple[Issue, Likeness]]:
    """Issues like a title being typed, best first, each with its reasons; open or
    closed, not merged, and only those `user_id` may see (the one rule, as a condition:
    a private issue of others is never read, let alone scored). With the multilingual
    model, the titles nearest in meaning too: a customer typing in German sees the
    English issue."""
    ids = {hit.issue_id for hit in index.search(session, text, FROM_SEARCH, any_word=True)}
    meaning = semantic.typed(session, text)
    if meaning is not None:
        ids |= set(meaning.nearest())
    pool = as_scored(session, ids, col(Issue.merged_into_id).is_(None), seen_by(user_id))
    typed = Report("typed", text, created_at=now)
    cosines = meaning.closeness(session, (int(r.id) for r in pool)) if meaning else None
    best = ranked(typed, pool, TYPED_AT_MOST, cosines)
    return as_issues(session, [pair for pair in best if pair[1].score >= TYPED_FROM])
