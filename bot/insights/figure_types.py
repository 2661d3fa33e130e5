"""The shapes of the figures (see figures.py for what each one means)."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Spread:
    """A set of durations in seconds."""

    count: int = 0
    mean: float | None = None
    median: float | None = None
    p90: float | None = None

    @classmethod
    def of(cls, seconds: list[float]) -> Spread:
        if not seconds:
            return cls()
        ordered = sorted(seconds)
        p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
        return cls(len(ordered), statistics.fmean(ordered), statistics.median(ordered), p90)


@dataclass(frozen=True)
class Week:
    """The times of the issues filed in one week of a period (see figures.by_week)."""

    start: datetime
    time_to_acknowledge: Spread = field(default_factory=Spread)
    time_to_fix: Spread = field(default_factory=Spread)
    time_to_deploy: Spread = field(default_factory=Spread)


@dataclass(frozen=True)
class Compliance:
    met: int = 0
    breached: int = 0
    running: int = 0
    breached_now: int = 0

    @property
    def ratio(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None


@dataclass(frozen=True)
class DeployFigures:
    count: int = 0
    per_week: float = 0.0
    by_service: dict[str, int] = field(default_factory=dict)
    failed: int = 0
    recovery_time: Spread = field(default_factory=Spread)

    @property
    def change_failure_rate(self) -> float | None:
        return self.failed / self.count if self.count else None


@dataclass(frozen=True)
class Load:
    """Pages, split by the part of the day they came in."""

    pages: int = 0
    business_hours: int = 0
    off_hours: int = 0
    sleep_hours: int = 0


@dataclass(frozen=True)
class OnCallLoad:
    total: Load = field(default_factory=Load)
    by_user: dict[str, Load] = field(default_factory=dict)
    by_schedule: dict[str, Load] = field(default_factory=dict)


@dataclass(frozen=True)
class FollowUpFigures:
    open: int = 0
    done_on_time: int = 0
    done_late: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class Recurring:
    """Something that keeps coming back: a service or an alert fingerprint."""

    name: str
    issues: int
    occurrences: int
    source: str | None = None
