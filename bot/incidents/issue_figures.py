"""The per-issue times, defined once: what "time to deploy" means for one issue.

The review shows them for its issue; insights (figures.py) aggregates them over a
period for `/incident stats` and `/api/v1/stats`, and its hooks observe them for
`/metrics`. Each is a span between two recorded transition times:

- time to acknowledge = acknowledged - filed
- time to fix = Fixed - filed
- time to deploy = deployed - Fixed (kept apart from the fix: blurring them is the
  classic failure mode)
- time to resolve = deployed (or Closed when no deploy is recorded) - filed

A span whose end was recorded before its start (a deploy reported with a time
before someone marked the issue Fixed) counts as zero, not as missing: the fix was
already out when it was marked.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.core.durations import format_duration


class Timed(Protocol):
    """An issue, or a row of its transition times (insights reads only the columns)."""

    @property
    def created_at(self) -> datetime: ...
    @property
    def acknowledged_at(self) -> datetime | None: ...
    @property
    def fixed_at(self) -> datetime | None: ...
    @property
    def deployed_at(self) -> datetime | None: ...
    @property
    def closed_at(self) -> datetime | None: ...


@dataclass(frozen=True)
class Span:
    name: str  # the key in the API and the review facts; /metrics adds _seconds
    label: str  # how it reads to people, in /incident stats and the review
    start: Callable[[Timed], datetime | None]
    end: Callable[[Timed], datetime | None]

    def seconds(self, issue: Timed) -> float | None:
        """The span in seconds; None until both ends are recorded."""
        start, end = self.start(issue), self.end(issue)
        if start is None or end is None:
            return None
        return max((end - start).total_seconds(), 0.0)

    def text(self, issue: Timed) -> str | None:
        seconds = self.seconds(issue)
        return None if seconds is None else duration_text(seconds)


def duration_text(seconds: float) -> str:
    """How a figure's duration reads, for one issue or a median."""
    return format_duration(timedelta(seconds=seconds))


TIME_TO_ACKNOWLEDGE = Span(
    "time_to_acknowledge",
    "Time to acknowledge",
    lambda i: i.created_at,
    lambda i: i.acknowledged_at,
)
TIME_TO_FIX = Span("time_to_fix", "Time to fix", lambda i: i.created_at, lambda i: i.fixed_at)
TIME_TO_DEPLOY = Span(
    "time_to_deploy",
    "Time to deploy (after the fix)",
    lambda i: i.fixed_at,
    lambda i: i.deployed_at,
)
TIME_TO_RESOLVE = Span(
    "time_to_resolve",
    "Time to resolve",
    lambda i: i.created_at,
    lambda i: i.deployed_at or i.closed_at,
)
SPANS = (TIME_TO_ACKNOWLEDGE, TIME_TO_FIX, TIME_TO_DEPLOY, TIME_TO_RESOLVE)
