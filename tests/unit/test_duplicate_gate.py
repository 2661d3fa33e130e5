"""The gate in front of duplicate suggestions: none below the calibrated threshold, a
shown one usually alone, never more than three."""

from __future__ import annotations

from bot.triage.gate import SHOWN_AT_MOST, THRESHOLD, shown
from bot.triage.similarity import Likeness, Report, ranked


def scored(*scores: float) -> list[tuple[str, Likeness]]:
    return [(f"c{i}", Likeness(s)) for i, s in enumerate(scores)]


def test_below_the_threshold_nothing_is_shown() -> None:
    assert shown(scored(THRESHOLD - 0.05, THRESHOLD - 0.05)) == []
    assert shown(scored(0.2)) == [] and shown([]) == []


def test_a_clear_winner_is_shown_alone_and_close_calls_at_most_three() -> None:
    assert [c for c, _ in shown(scored(0.9, 0.4, 0.3))] == ["c0"]
    assert len(shown(scored(0.95, 0.94, 0.93, 0.92, 0.91))) == SHOWN_AT_MOST


def test_a_report_like_many_others_equally_is_like_none_of_them() -> None:
    # the same best score: shown when it stands out, not beside an equal runner-up
    assert shown(scored(0.5, 0.1)) != []
    assert shown(scored(0.5, 0.49)) == []


def test_reasons_name_the_shared_frame_and_words() -> None:
    trace = 'File "/srv/pay/gateway.py", line {n}, in capture\nTimeoutError: upstream'
    old = Report(1, "Payment capture times out", "invoice charged twice", trace.format(n=10))
    new = Report(2, "Customers invoiced twice", "charged twice in June", trace.format(n=12))
    [(_, alike)] = ranked(new, [old])
    assert "same stack frame `gateway.py:capture`" in alike.reasons
    assert any(r.startswith("same words: ") and "twice" in r for r in alike.reasons)
