"""Re-tuning the duplicate gate on a team's own answers: every *Merge* (a true
duplicate) and *Not a duplicate* (a wrong suggestion) is a labelled pair, and the
threshold kept is the lowest one at which at most 10 % of the answered suggestions it
would still show were wrong (the most true duplicates kept for that precision).

Only shown suggestions get answered, so every pair is at or above the threshold in
force when it was filed: the answers can raise the bar, or lower it only as far as
the lowest confidence seen. Pairs stored before migration 0017 have no confidence;
their score (never above the confidence) stands in, and the command says how many.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from storage.models import DuplicateSuggestion

WRONG_AT_MOST = 0.10
NEVER = float("-inf")  # a replayed pair the finder would not show at any threshold
NEEDED = 20
MERGED, DISMISSED = "merged", "dismissed"


@dataclass(frozen=True)
class Answer:
    value: float  # the gate's confidence, or the score on rows stored without it
    true: bool  # merged: a true duplicate; dismissed: not one
    from_score: bool = False


@dataclass(frozen=True)
class Figures:
    threshold: float
    shown: int
    wrong: float  # share of the shown ones answered "Not a duplicate"
    recall: float  # share of the true duplicates still shown


def answered(session: Session) -> list[Answer]:
    rows = session.exec(
        select(DuplicateSuggestion).where(col(DuplicateSuggestion.state).in_((MERGED, DISMISSED)))
    )
    return [
        Answer(
            row.confidence if row.confidence is not None else row.score,
            row.state == MERGED,
            row.confidence is None,
        )
        for row in rows
    ]


def figures(answers: list[Answer], threshold: float) -> Figures:
    shown = [a for a in answers if a.value >= threshold]
    true = sum(a.true for a in answers)
    kept = sum(a.true for a in shown)
    wrong = (len(shown) - kept) / len(shown) if shown else 0.0
    return Figures(threshold, len(shown), wrong, kept / true if true else 0.0)


def tuned(answers: list[Answer]) -> Figures | None:
    """The lowest observed value whose shown pairs are at most 10 % wrong; None when
    no threshold shows a true duplicate that precisely."""
    for value in sorted({a.value for a in answers if a.value != NEVER}):
        found = figures(answers, value)
        if found.wrong <= WRONG_AT_MOST and found.recall > 0:
            return found
    return None
