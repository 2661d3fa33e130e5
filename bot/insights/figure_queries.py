"""The reads behind the figures: columns and rollups of one period, through indexes
(issues by filing time, deploys and pages by time), never the timeline.

Every read takes a `Scope`: the service asked for, and the issues its reader may see
named (core/membership.py's rule as a condition). Private issues the reader may not
see count in the totals, but no name (a service, a fingerprint) comes from them, and a
filter by service leaves them out, since counting them would confirm the service."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, and_, false, func, or_, true, type_coerce
from sqlalchemy import select as select_columns
from sqlmodel import Session, col, select

from bot.incidents.rules import open_issues
from bot.insights.figure_types import DeployFigures, FollowUpFigures, Recurring, Spread
from storage.models import AlertGroup, Deploy, FollowUp, Issue, IssueMetrics, PageSent, SlaClock

TOP = 5


@dataclass(frozen=True)
class Scope:
    """Which issues a read covers (one service's, or all) and which of them its reader
    may see named (None: every issue, as for an API token with `private: true`)."""

    service: str | None = None
    may_name: ColumnElement[bool] | None = None

    def named(self) -> ColumnElement[bool]:
        return true() if self.may_name is None else self.may_name

    def issues(self) -> list[ColumnElement[bool]]:
        """The conditions on issues: a service names itself, so only nameable ones."""
        if not self.service:
            return []
        return [col(Issue.service) == self.service, self.named()]


@dataclass(frozen=True)
class IssueRow:
    severity: str
    type: str
    service: str | None
    reporter_id: str
    status: str
    occurrences: int
    created_at: datetime
    acknowledged_at: datetime | None
    fixed_at: datetime | None
    deployed_at: datetime | None
    closed_at: datetime | None
    status_since: datetime | None
    finished: dict[str, float]  # seconds per status, spans already left
    reopens: int
    retest_revise_loops: int
    named: bool  # may the reader see this issue named (its service)?

    def seconds_in(self, status: str, now: datetime) -> float | None:
        """Time spent in a status, the running span up to now; None if never there."""
        spent = self.finished.get(status, 0.0)
        if self.status == status:
            spent += max((now - (self.status_since or self.created_at)).total_seconds(), 0.0)
        elif not spent:
            return None
        return spent


def measured(*conditions: Any) -> ColumnElement[bool]:
    """Issues that count: drills and tests are left out."""
    return and_(col(Issue.exclude_from_metrics).is_(false()), *conditions)


def _in_period(since: datetime, until: datetime, scope: Scope) -> ColumnElement[bool]:
    conditions = [col(Issue.created_at) >= since, col(Issue.created_at) < until]
    return measured(*conditions, *scope.issues())


ISSUE_COLUMNS = (
    "severity",
    "type",
    "service",
    "reporter_id",
    "status",
    "occurrences",
    "created_at",
    "acknowledged_at",
    "fixed_at",
    "deployed_at",
    "closed_at",
)
STATUS_SECONDS = {
    "new": IssueMetrics.seconds_new,
    "assigned": IssueMetrics.seconds_assigned,
    "revise": IssueMetrics.seconds_revise,
    "retest": IssueMetrics.seconds_retest,
    "fixed": IssueMetrics.seconds_fixed,
}


@dataclass(frozen=True)
class IdSpan:
    """The lowest and highest id among the issues of a period. Ids are given at filing,
    so the span covers about the period: a condition on it lets the planners read the
    period's SLA clocks and rollups through their issue_id indexes. Without it PostgreSQL
    hashed every row of those tables (a seq scan of 200k clocks at 100k issues; stats
    for 90 days 1.86x slower than at 1k). Always true of the period's own rows, so it
    changes no figure, whatever the ids."""

    low: int
    high: int

    def covers(self, issue_id: Any) -> ColumnElement[bool]:
        return and_(issue_id >= self.low, issue_id <= self.high)


def id_span(session: Session, since: datetime, until: datetime, scope: Scope) -> IdSpan | None:
    """None when the period holds no issue."""
    # `id + 0`: for a bare min(id) PostgreSQL walks the primary key from one end until
    # an issue of the period turns up (45 ms at 100k); this reads the period's issues
    # by ix_issues_created instead.
    shifted = col(Issue.id) + 0
    low, high = session.execute(
        select_columns(func.min(shifted), func.max(shifted)).where(_in_period(since, until, scope))
    ).one()
    return None if low is None else IdSpan(int(low), int(high))


def issue_rows(
    session: Session, since: datetime, until: datetime, scope: Scope, span: IdSpan | None
) -> list[IssueRow]:
    if span is None:
        return []
    stmt = (
        select_columns(
            *(col(getattr(Issue, name)) for name in ISSUE_COLUMNS),
            col(IssueMetrics.status_since),
            col(IssueMetrics.reopens),
            col(IssueMetrics.retest_revise_loops),
            *(col(column).label(f"seconds_{status}") for status, column in STATUS_SECONDS.items()),
            scope.named().label("named"),
        )
        .outerjoin(
            IssueMetrics,
            and_(
                col(IssueMetrics.issue_id) == col(Issue.id),
                span.covers(col(IssueMetrics.issue_id)),
            ),
        )
        .where(_in_period(since, until, scope))
    )
    return [
        IssueRow(
            **{name: found[name] for name in ISSUE_COLUMNS},
            status_since=found["status_since"],
            finished={s: found[f"seconds_{s}"] or 0.0 for s in STATUS_SECONDS},
            reopens=found["reopens"] or 0,
            retest_revise_loops=found["retest_revise_loops"] or 0,
            named=bool(found["named"]),
        )
        for found in session.execute(stmt).mappings()
    ]


@dataclass(frozen=True)
class Times:
    """An issue's recorded transition times: all the period before needs of it."""

    created_at: datetime
    acknowledged_at: datetime | None
    fixed_at: datetime | None
    deployed_at: datetime | None
    closed_at: datetime | None


def issue_times(session: Session, since: datetime, until: datetime, scope: Scope) -> list[Times]:
    """The transition times of the issues filed in the period: the columns of their
    rows (read by ix_issues_created), no rollup and no membership test per issue."""
    # Read as plain DateTime: on SQLite naive, all of them, so every span (a difference)
    # is the same as between the UTC values; storage.types.UTCDateTime's call per value
    # took 60 % of this read (9 ms for 900 issues).
    columns = (
        Issue.created_at,
        Issue.acknowledged_at,
        Issue.fixed_at,
        Issue.deployed_at,
        Issue.closed_at,
    )
    stmt = select_columns(*(type_coerce(col(column), DateTime()) for column in columns)).where(
        _in_period(since, until, scope)
    )
    return [Times(*found) for found in session.execute(stmt)]


def open_count(session: Session, scope: Scope) -> int:
    stmt = select(func.count()).select_from(Issue).where(measured(open_issues(), *scope.issues()))
    return int(session.exec(stmt).one())


@dataclass
class ClockCounts:
    met: int = 0
    breached: int = 0
    running: int = 0
    breached_now: int = 0

    def add(self, breached: bool, stopped: bool, count: int) -> None:
        if breached:
            self.breached += count
            if not stopped:
                self.breached_now += count
        elif stopped:
            self.met += count
        if not stopped:
            self.running += count


@dataclass
class SlaCounts:
    rows: list[tuple[str, str, bool, bool, int]]

    def by_clock(self) -> dict[str, ClockCounts]:
        found: dict[str, ClockCounts] = {}
        for clock, _severity, breached, stopped, count in self.rows:
            found.setdefault(clock, ClockCounts()).add(breached, stopped, count)
        return dict(sorted(found.items()))

    def by_clock_and_severity(self) -> dict[str, dict[str, ClockCounts]]:
        found: dict[str, dict[str, ClockCounts]] = {}
        for clock, severity, breached, stopped, count in self.rows:
            found.setdefault(clock, {}).setdefault(severity, ClockCounts()).add(
                breached, stopped, count
            )
        return found


def sla_counts(
    session: Session, since: datetime, until: datetime, scope: Scope, span: IdSpan | None
) -> SlaCounts:
    if span is None:
        return SlaCounts([])
    breached = col(SlaClock.breached_at).is_not(None)
    stopped = col(SlaClock.stopped_at).is_not(None)
    stmt = (
        select_columns(col(SlaClock.kind), col(Issue.severity), breached, stopped, func.count())
        .join(Issue, col(Issue.id) == col(SlaClock.issue_id))
        .where(_in_period(since, until, scope), span.covers(col(SlaClock.issue_id)))
        .group_by(SlaClock.kind, col(Issue.severity), breached, stopped)
    )
    return SlaCounts(
        [(k, s, bool(b), bool(st), int(n)) for k, s, b, st, n in session.execute(stmt)]
    )


def deploys(session: Session, since: datetime, until: datetime, scope: Scope) -> DeployFigures:
    """Deploys are not issues: counted by their own service; the issues that followed
    them only within the scope."""
    in_period = [col(Deploy.deployed_at) >= since, col(Deploy.deployed_at) < until]
    if scope.service:
        in_period.append(col(Deploy.service) == scope.service)
    counts = session.exec(
        select(col(Deploy.service), func.count()).where(*in_period).group_by(col(Deploy.service))
    ).all()
    followed = session.exec(
        select(col(IssueMetrics.suspect_deploy_id), col(Deploy.deployed_at), col(Issue.deployed_at))
        .join(Deploy, col(Deploy.id) == col(IssueMetrics.suspect_deploy_id))
        .join(Issue, col(Issue.id) == col(IssueMetrics.issue_id))
        .where(measured(*in_period, *scope.issues()))
    ).all()
    total = sum(int(n) for _s, n in counts)
    weeks = max((until - since) / timedelta(weeks=1), 1.0)
    return DeployFigures(
        count=total,
        per_week=round(total / weeks, 2),
        by_service=dict(sorted(((s, int(n)) for s, n in counts), key=lambda kv: (-kv[1], kv[0]))),
        failed=len({deploy_id for deploy_id, _at, _fixed in followed}),
        recovery_time=Spread.of(
            [(fixed - at).total_seconds() for _id, at, fixed in followed if fixed and fixed >= at]
        ),
    )


@dataclass(frozen=True)
class PageCount:
    user_id: str | None
    schedule: str | None
    hours: str
    count: int


def page_counts(
    session: Session, since: datetime, until: datetime, scope: Scope
) -> list[PageCount]:
    stmt = (
        select_columns(
            col(PageSent.user_id), col(PageSent.schedule), col(PageSent.hours), func.count()
        )
        .where(col(PageSent.at) >= since, col(PageSent.at) < until)
        .group_by(PageSent.user_id, col(PageSent.schedule), col(PageSent.hours))
    )
    if scope.service:
        stmt = stmt.join(Issue, col(Issue.id) == col(PageSent.issue_id)).where(*scope.issues())
    return [PageCount(u, s, h, int(n)) for u, s, h, n in session.execute(stmt)]


def followups(
    session: Session, since: datetime, until: datetime, scope: Scope, today: date
) -> FollowUpFigures:
    conditions = [col(FollowUp.created_at) >= since, col(FollowUp.created_at) < until]
    conditions += scope.issues()
    rows = session.exec(
        select(col(FollowUp.status), col(FollowUp.due_on), col(FollowUp.done_at))
        .join(Issue, col(Issue.id) == col(FollowUp.issue_id))
        .where(measured(*conditions))
    ).all()
    opened = done_on_time = done_late = overdue = 0
    for status, due_on, done_at in rows:
        if status == "done":
            late = due_on is not None and done_at is not None and done_at.date() > due_on
            done_late += late
            done_on_time += not late
        elif due_on is not None and due_on < today:
            overdue += 1
        else:
            opened += 1
    return FollowUpFigures(opened, done_on_time, done_late, overdue)


def top_services(rows: list[IssueRow]) -> list[Recurring]:
    """Services by occurrences, from the issues the reader may see named only."""
    found: dict[str, tuple[int, int]] = {}
    for row in rows:
        if row.service and row.named:
            issues, occurrences = found.get(row.service, (0, 0))
            found[row.service] = (issues + 1, occurrences + row.occurrences)
    ranked = sorted(found.items(), key=lambda kv: (-kv[1][1], -kv[1][0], kv[0]))
    return [Recurring(name, issues, occ) for name, (issues, occ) in ranked[:TOP]]


def top_fingerprints(
    session: Session, since: datetime, until: datetime, scope: Scope
) -> list[Recurring]:
    """Alert fingerprints seen in the period, by occurrences; named by fingerprint and
    source only, as alert titles may describe a private issue, and only from alerts
    whose issue the reader may see named (or alerts that filed no issue)."""
    stmt = (
        select(
            col(AlertGroup.fingerprint),
            col(AlertGroup.source),
            func.count(),
            func.sum(AlertGroup.occurrences),
        )
        .outerjoin(Issue, col(Issue.id) == col(AlertGroup.issue_id))
        .where(
            col(AlertGroup.last_seen) >= since,
            col(AlertGroup.first_seen) < until,
            col(Issue.exclude_from_metrics).is_not(True),
            or_(col(AlertGroup.issue_id).is_(None), scope.named()),
            *scope.issues(),
        )
        .group_by(AlertGroup.fingerprint, col(AlertGroup.source))
        .order_by(func.sum(AlertGroup.occurrences).desc(), col(AlertGroup.fingerprint))
        .limit(TOP)
    )
    return [Recurring(f, int(n), int(occ or 0), source=s) for f, s, n, occ in session.exec(stmt)]
