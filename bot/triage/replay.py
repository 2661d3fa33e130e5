"""A team's labelled history asked again of the finder as it is now.

The stored answers carry the confidence the finder gave when each report was filed;
after an upgrade that scores differently (a new signal, new weights) those numbers
are on another scale, and they never include the duplicates the finder missed and
someone merged by hand. A replay asks the current finder about every answered or
merged report, among the issues filed before it, and turns each labelled pair into
an `Answer` for `tune.tuned`:

- a merge (by *Merge* or by `/incident merge`) is a true pair, shown at the report's
  confidence when the original is among what the gate would show, never otherwise;
- a *Not a duplicate* is a wrong pair, shown when that candidate is among them.

- a report nobody merged or answered about counts as one with no duplicate (the
  GitBugs protocol's "false suggestion"): anything shown for it counts as wrong. That
  is conservative (some were duplicates nobody merged), and without it a replay would
  only see the reports someone answered, and would lower the bar for everyone else.

A candidate the team never answered about, beside a labelled one, is left out: nobody
said whether it was right.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from bot.triage.duplicates import compared_for, ranked_candidates
from bot.triage.gate import confidence, shown
from bot.triage.search import SearchIndex
from bot.triage.tune import DISMISSED, MERGED, NEVER, Answer
from storage.models import DuplicateSuggestion, Issue

# A replay asks the finder about each report (tens of milliseconds each): the newest
# 2,000 unlabelled ones are enough to measure a share of false suggestions.
UNLABELLED = 2000


@dataclass
class Labels:
    same: set[int] = field(default_factory=set)  # the issues it was merged into
    other: set[int] = field(default_factory=set)  # answered "Not a duplicate"


def labelled(session: Session) -> dict[int, Labels]:
    """Every report a team said something about, with what they said."""
    found: dict[int, Labels] = defaultdict(Labels)
    rows = session.exec(
        select(DuplicateSuggestion).where(col(DuplicateSuggestion.state).in_((MERGED, DISMISSED)))
    )
    for row in rows:
        labels = found[row.issue_id]
        (labels.same if row.state == MERGED else labels.other).add(row.candidate_id)
    merged = session.exec(
        select(Issue.id, Issue.merged_into_id).where(col(Issue.merged_into_id).is_not(None))
    )
    for issue_id, into in merged:
        if issue_id is not None and into is not None:
            found[issue_id].same.add(into)
    return dict(found)


def unlabelled(session: Session, labels: dict[int, Labels], most: int = UNLABELLED) -> list[int]:
    """The newest reports by people (the finder's own reports) nobody merged or answered
    about, at most `most` (a replay asks the finder about each)."""
    rows = session.exec(
        select(Issue.id, Issue.reporter_id)
        .where(col(Issue.merged_into_id).is_(None))
        .order_by(col(Issue.id).desc())
    )
    found = []
    for issue_id, reporter in rows:
        if issue_id is None or issue_id in labels:
            continue
        if compared_for(reporter):
            found.append(issue_id)
            if len(found) >= most:
                break
    return found


def replayed(session: Session, index: SearchIndex) -> list[Answer]:
    """One answer per labelled pair, and one per report nobody merged (its duplicate:
    none), with the confidence the finder gives it now."""
    answers = []
    labels = labelled(session)
    for issue_id in unlabelled(session, labels):
        issue = session.get(Issue, issue_id)
        if issue is not None:
            best = ranked_candidates(session, index, issue)
            answers.append(Answer(confidence(best) if best else NEVER, False))
    for issue_id, labels_of in sorted(labels.items()):
        issue = session.get(Issue, issue_id)
        if issue is None:
            continue
        best = ranked_candidates(session, index, issue, keep_dismissed=True)
        sure = confidence(best)
        members = {old.id for old, _ in shown(best, threshold=0.0)} if best else set()
        for candidate in labels_of.same:
            answers.append(Answer(sure if candidate in members else NEVER, True))
        for candidate in labels_of.other - labels_of.same:
            answers.append(Answer(sure if candidate in members else NEVER, False))
    return answers
