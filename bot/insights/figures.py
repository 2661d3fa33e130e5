"""The figures, defined once: every one from recorded transition times and the
rollups written at each change (insights/rollups.py, sla/page_log.py), never
from "last updated" and never by replaying the timeline.

- time to acknowledge, fix, deploy and resolve: per issue as incidents/issue_figures.py
  defines them (the review shows the same spans for its issue); here their spread
- time in status: per status, the time each issue spent there (the status it is in
  now counts up to now); reopens and Retest -> Revise loops are counted
- SLA, per clock: met (stopped, never breached), breached (ever), running, breached
  now (breached and still running); compliance = met / (met + breached)
- deploys: per week; change failure rate = deploys followed within deploy_window by
  an issue on the same service / deploys; recovery time = that deploy -> the
  issue's fix deployed, per issue
- by week: time to acknowledge, fix and deploy of the issues filed in each week of
  the period (weeks counted from its start, the last one maybe shorter)
- on-call load: pages by person and schedule, in business, off and sleep hours
- follow-ups (created in the period): open, done on time, done late, overdue
Issues are the ones filed in the period. Drills and tests (exclude_from_metrics)
are left out.

Private issues count in every total, for every reader. What names something (a
service in by_service and top_services, an alert fingerprint) comes only from issues
the reader may see (`Audience`, from core/membership.py's rule); the others are
counted in `not_named`. A filter by service covers only issues the reader may see.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, select

from bot.core.membership import public_only, seen_by
from bot.core.reporters import source_of as reporter_source
from bot.incidents.issue_figures import (
    TIME_TO_ACKNOWLEDGE,
    TIME_TO_DEPLOY,
    TIME_TO_FIX,
    TIME_TO_RESOLVE,
)
from bot.incidents.rules import open_issues
from bot.insights import figure_queries as read
from bot.insights.figure_types import (
    Compliance,
    DeployFigures,
    FollowUpFigures,
    Load,
    OnCallLoad,
    Recurring,
    Spread,
    Week,
)
from storage.db import Database
from storage.models import Issue


@dataclass(frozen=True)
class Audience:
    """Who reads the figures, as the issues they may see named (None: every issue)."""

    may_see: ColumnElement[bool] | None


# An API token with `private: true`.
EVERY_ISSUE = Audience(None)


def a_channel() -> Audience:
    """A channel message (the digest) or an API token without private access."""
    return Audience(public_only())


def a_person(user_id: str) -> Audience:
    """Someone in Slack: public issues and the private ones they are a member of."""
    return Audience(seen_by(user_id))


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
    time_in_status: dict[str, Spread] = field(default_factory=dict)
    reopens: int = 0
    reopened_issues: int = 0
    retest_revise_loops: int = 0
    sla_by_severity: dict[str, dict[str, Compliance]] = field(default_factory=dict)
    deploys: DeployFigures = field(default_factory=DeployFigures)
    oncall: OnCallLoad = field(default_factory=OnCallLoad)
    followups: FollowUpFigures = field(default_factory=FollowUpFigures)
    by_severity: dict[str, int] = field(default_factory=dict)
    by_type: dict[str, int] = field(default_factory=dict)
    by_service: dict[str, int] = field(default_factory=dict)
    by_source: dict[str, int] = field(default_factory=dict)
    top_services: list[Recurring] = field(default_factory=list)
    top_fingerprints: list[Recurring] = field(default_factory=list)
    not_named: int = 0  # issues filed, counted above, that the reader may not see named


@dataclass(frozen=True)
class Baseline:
    """The period before, as much of it as the figures are compared with (`/incident
    stats` and the digest show each headline figure with its change against it)."""

    filed: int
    time_to_acknowledge: Spread
    time_to_fix: Spread
    time_to_deploy: Spread
    deploys: DeployFigures
    oncall: OnCallLoad


def _count(values: list[str]) -> dict[str, int]:
    counted: dict[str, int] = {}
    for value in values:
        counted[value] = counted.get(value, 0) + 1
    return dict(sorted(counted.items(), key=lambda kv: (-kv[1], kv[0])))


def source_of(issue: Issue | read.IssueRow) -> str:
    """Where an issue came from (core/reporters.py)."""
    return reporter_source(issue.reporter_id)


def _spread(values: list[float | None]) -> Spread:
    return Spread.of([v for v in values if v is not None])


def figures(
    db: Database,
    since: datetime,
    until: datetime,
    service: str | None = None,
    now: datetime | None = None,
    audience: Audience | None = None,
) -> Figures:
    """The figures for issues filed in [since, until), as known `now` (default: until),
    for `audience` (default: a channel, which may see no private issue named)."""
    now = now or until
    scope = read.Scope(service, (audience or a_channel()).may_see)
    with db.session() as session:
        span = read.id_span(session, since, until, scope)
        rows = read.issue_rows(session, since, until, scope, span)
        sla = read.sla_counts(session, since, until, scope, span)
        deploys = read.deploys(session, since, until, scope)
        pages = read.page_counts(session, since, until, scope)
        followups = read.followups(session, since, until, scope, now.date())
        fingerprints = read.top_fingerprints(session, since, until, scope)
        open_now = read.open_count(session, scope)
    statuses = ("new", "assigned", "revise", "retest", "fixed")
    return Figures(
        since=since,
        until=until,
        filed=len(rows),
        closed=sum(1 for r in rows if r.closed_at is not None),
        open_now=open_now,
        time_to_acknowledge=_spread([TIME_TO_ACKNOWLEDGE.seconds(r) for r in rows]),
        time_to_fix=_spread([TIME_TO_FIX.seconds(r) for r in rows]),
        time_to_deploy=_spread([TIME_TO_DEPLOY.seconds(r) for r in rows]),
        time_to_resolve=_spread([TIME_TO_RESOLVE.seconds(r) for r in rows]),
        time_in_status={
            status: spread
            for status in statuses
            if (spread := _spread([r.seconds_in(status, now) for r in rows])).count
        },
        reopens=sum(r.reopens for r in rows),
        reopened_issues=sum(1 for r in rows if r.reopens),
        retest_revise_loops=sum(r.retest_revise_loops for r in rows),
        sla={clock: _compliance(counts) for clock, counts in sla.by_clock().items()},
        sla_by_severity={
            clock: {sev: _compliance(c) for sev, c in by_sev.items()}
            for clock, by_sev in sla.by_clock_and_severity().items()
        },
        deploys=deploys,
        oncall=_oncall(pages),
        followups=followups,
        by_severity=_count([r.severity for r in rows]),
        by_type=_count([r.type for r in rows]),
        by_service=_count([r.service for r in rows if r.service and r.named]),
        by_source=_count([source_of(r) for r in rows]),
        top_services=read.top_services(rows),
        top_fingerprints=fingerprints,
        not_named=sum(1 for r in rows if not r.named),
    )


def by_week(
    db: Database,
    since: datetime,
    until: datetime,
    service: str | None = None,
    audience: Audience | None = None,
) -> list[Week]:
    """Time to acknowledge, fix and deploy of the issues filed in each week of
    [since, until): weeks of 7 days from `since`, every one listed (an empty week has
    empty spreads), the last cut at `until`. Same issues and spans as `figures`."""
    scope = read.Scope(service, (audience or a_channel()).may_see)
    with db.session() as session:
        span = read.id_span(session, since, until, scope)
        rows = read.issue_rows(session, since, until, scope, span)
    week = timedelta(weeks=1)
    starts: list[datetime] = []
    start = since
    while start < until:
        starts.append(start)
        start += week
    weekly: list[list[read.IssueRow]] = [[] for _ in starts]
    for row in rows:
        weekly[min(int((row.created_at - since) / week), len(starts) - 1)].append(row)
    return [
        Week(
            start=begins,
            time_to_acknowledge=_spread([TIME_TO_ACKNOWLEDGE.seconds(r) for r in these]),
            time_to_fix=_spread([TIME_TO_FIX.seconds(r) for r in these]),
            time_to_deploy=_spread([TIME_TO_DEPLOY.seconds(r) for r in these]),
        )
        for begins, these in zip(starts, weekly, strict=True)
    ]


def baseline(
    db: Database,
    since: datetime,
    until: datetime,
    service: str | None = None,
    audience: Audience | None = None,
) -> Baseline:
    """The period before [since, until), for comparison: the same figures as `figures`
    gives for it, those a comparison shows only. Reading the whole figures of a second
    period (rollups, SLA clocks, a membership test per issue) doubled the work of
    `/incident stats` for figures it never showed."""
    scope = read.Scope(service, (audience or a_channel()).may_see)
    with db.session() as session:
        times = read.issue_times(session, since, until, scope)
        deploys = read.deploys(session, since, until, scope)
        pages = read.page_counts(session, since, until, scope)
    return Baseline(
        filed=len(times),
        time_to_acknowledge=_spread([TIME_TO_ACKNOWLEDGE.seconds(t) for t in times]),
        time_to_fix=_spread([TIME_TO_FIX.seconds(t) for t in times]),
        time_to_deploy=_spread([TIME_TO_DEPLOY.seconds(t) for t in times]),
        deploys=deploys,
        oncall=_oncall(pages),
    )


def _compliance(counts: read.ClockCounts) -> Compliance:
    return Compliance(counts.met, counts.breached, counts.running, counts.breached_now)


def _oncall(pages: list[read.PageCount]) -> OnCallLoad:
    def load(selected: list[read.PageCount]) -> Load:
        by_hours = {
            hours: sum(p.count for p in selected if p.hours == hours)
            for hours in ("business", "off", "sleep")
        }
        return Load(
            sum(p.count for p in selected),
            by_hours["business"],
            by_hours["off"],
            by_hours["sleep"],
        )

    users = sorted({p.user_id for p in pages if p.user_id})
    schedules = sorted({p.schedule for p in pages if p.schedule})
    return OnCallLoad(
        total=load(pages),
        by_user={u: load([p for p in pages if p.user_id == u]) for u in users},
        by_schedule={s: load([p for p in pages if p.schedule == s]) for s in schedules},
    )


def slowest_open(
    db: Database, limit: int = 3, service: str | None = None, audience: Audience | None = None
) -> list[Issue]:
    """The open issues open longest, drills left out (the caller shows only those its
    reader may see, the others as a count; of one service, only those it may see)."""
    scope = read.Scope(service, (audience or a_channel()).may_see)
    with db.session() as session:
        stmt = select(Issue).where(
            open_issues(),
            col(Issue.exclude_from_metrics).is_(False),
            *scope.issues(),
        )
        return list(session.exec(stmt.order_by(col(Issue.created_at)).limit(limit)))


def period(now: datetime, days: int) -> tuple[datetime, datetime, datetime]:
    """(start of the previous period, start of this one, now)."""
    span = timedelta(days=days)
    return now - 2 * span, now - span, now
