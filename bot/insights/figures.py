"""The figures, defined once: every one from recorded transition times, never from
"last updated".

- time to acknowledge = acknowledged - filed
- time to fix = Fixed - filed
- time to deploy = deployed - Fixed (kept apart from the fix: blurring them is the
  classic failure mode)
- time to resolve = deployed (or Closed when no deploy is recorded) - filed
- SLA compliance, per clock = met / (met + breached); a clock still running counts
  in neither
Private issues count in every figure; no figure names an issue.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.reporters import is_person
from bot.incidents.rules import OPEN_STATUSES
from storage.db import Database
from storage.models import Issue, SlaClock


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
class Compliance:
    met: int = 0
    breached: int = 0

    @property
    def ratio(self) -> float | None:
        total = self.met + self.breached
        return self.met / total if total else None


@dataclass(frozen=True)
class Figures:
    since: datetime
    until: datetime
    filed: int
    closed: int
    open_now: int
    time_to_acknowledge: Spread
    time_to_fix: Spread
    time_to_deploy: Spread
    time_to_resolve: Spread
    sla: dict[str, Compliance]
    by_severity: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)


def _seconds(start: datetime | None, end: datetime | None) -> float | None:
    return (end - start).total_seconds() if start and end and end >= start else None


def _count(values: list[str]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def source_of(issue: Issue) -> str:
    """Where an issue came from: Slack for a person, else the tool that raised it."""
    return "slack" if is_person(issue.reporter_id) else issue.reporter_id


def figures(db: Database, since: datetime, until: datetime, service: str | None = None) -> Figures:
    """The figures for issues filed in [since, until) (open_now is as of now)."""
    with db.session() as session:
        return _figures(session, since, until, service)


def _figures(session: Session, since: datetime, until: datetime, service: str | None) -> Figures:
    stmt = select(Issue).where(col(Issue.created_at) >= since, col(Issue.created_at) < until)
    if service:
        stmt = stmt.where(Issue.service == service)
    filed = list(session.exec(stmt))
    open_stmt = select(Issue.id).where(col(Issue.status).in_([s.value for s in OPEN_STATUSES]))
    if service:
        open_stmt = open_stmt.where(Issue.service == service)
    open_now = len(session.exec(open_stmt).all())
    ids = [i.id for i in filed if i.id is not None]
    clocks = (
        list(session.exec(select(SlaClock).where(col(SlaClock.issue_id).in_(ids)))) if ids else []
    )
    sla: dict[str, Compliance] = {}
    for kind in ("acknowledge", "update", "resolve"):
        mine = [c for c in clocks if c.kind == kind]
        breached = sum(1 for c in mine if c.breached_at is not None)
        met = sum(1 for c in mine if c.breached_at is None and c.stopped_at is not None)
        if met or breached:
            sla[kind] = Compliance(met, breached)

    def spread(pairs: list[float | None]) -> Spread:
        return Spread.of([s for s in pairs if s is not None])

    return Figures(
        since=since,
        until=until,
        filed=len(filed),
        closed=sum(1 for i in filed if i.closed_at is not None),
        open_now=open_now,
        time_to_acknowledge=spread([_seconds(i.created_at, i.acknowledged_at) for i in filed]),
        time_to_fix=spread([_seconds(i.created_at, i.fixed_at) for i in filed]),
        time_to_deploy=spread([_seconds(i.fixed_at, i.deployed_at) for i in filed]),
        time_to_resolve=spread(
            [_seconds(i.created_at, i.deployed_at or i.closed_at) for i in filed]
        ),
        sla=sla,
        by_severity=_count([i.severity for i in filed]),
        by_type=_count([i.type for i in filed]),
        by_service=_count([i.service for i in filed if i.service]),
        by_source=_count([source_of(i) for i in filed]),
    )


def slowest_open(db: Database, limit: int = 3, service: str | None = None) -> list[Issue]:
    """The open issues open longest (the caller shows only those its reader may see)."""
    with db.session() as session:
        stmt = select(Issue).where(col(Issue.status).in_([s.value for s in OPEN_STATUSES]))
        if service:
            stmt = stmt.where(Issue.service == service)
        return list(session.exec(stmt.order_by(col(Issue.created_at)).limit(limit)))


def period(now: datetime, days: int) -> tuple[datetime, datetime, datetime]:
    """(start of the previous period, start of this one, now)."""
    span = timedelta(days=days)
    return now - 2 * span, now - span, now
