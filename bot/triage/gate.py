"""Which of the ranked candidates a person is shown: a suggestion wrong nine times in
ten teaches people to ignore it, so most reports get none, and a shown one is
usually alone.

The confidence is the best score plus how far it stands above the second (a report
like ten others equally is like none of them in particular). The threshold was
chosen on GitBugs SeaMonkey for at most 10 % of reports without a duplicate getting
a suggestion (`python bench/duplicates.py --tune`), and held out on Hadoop; the
figures are in NOTES.md. Others are shown beside the first only when they are
nearly as alike (at most 3 in all).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from bot.triage import semantic
from bot.triage.similarity import Likeness

T = TypeVar("T")

THRESHOLD = 0.70  # lexical finder: chosen on SeaMonkey (FIREBELL_SEMANTIC=off ... --tune)
# With the semantic signal the scores are higher (SIMILARITY.SEMANTIC_WEIGHT x cosine is
# added), so the same <= 10 % false suggestions on SeaMonkey needs a higher bar
# (`python bench/duplicates.py --tune` with wordllama installed printed 0.90 on SQLite).
THRESHOLD_SEMANTIC = 0.90
MARGIN_WEIGHT = 1.0
NEARLY = 0.9  # a second candidate is shown at 90 % of the first's score or more
SHOWN_AT_MOST = 3


def confidence(ranked: Sequence[tuple[T, Likeness]]) -> float:
    if not ranked:
        return 0.0
    first = ranked[0][1].score
    second = ranked[1][1].score if len(ranked) > 1 else 0.0
    return first + MARGIN_WEIGHT * (first - second)


def threshold() -> float:
    """The bar for the finder as it runs here: with or without the semantic model."""
    return THRESHOLD_SEMANTIC if semantic.available() else THRESHOLD


def shown(
    ranked: Sequence[tuple[T, Likeness]], bar: float | None = None
) -> list[tuple[T, Likeness]]:
    """The candidates to show, best first: none below the threshold."""
    if confidence(ranked) < (threshold() if bar is None else bar):
        return []
    first = ranked[0][1].score
    return [pair for pair in ranked[:SHOWN_AT_MOST] if pair[1].score >= NEARLY * first]
