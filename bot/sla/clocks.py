"""SLA clocks of issues: started, stopped and recomputed inside lifecycle transactions.

acknowledge runs from filing until ack/Assigned; update from acknowledgement,
restarting with each status update; resolve from filing until Fixed. A
severity change recomputes deadlines from each clock's original start.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.domain import Status
from bot.incidents.hooks import IssueHooks
from bot.sla.config import SlaConfig, SlaPolicy
from storage.db import Database
from storage.models import Escalation, Issue, SlaClock

KINDS = ("acknowledge", "update", "resolve")


def _deadline(policy: SlaPolicy, start: datetime, span: timedelta) -> datetime:
    hours = policy.business_hours
    if hours is None:
        return start + span
    office = hours.build()
    # With business hours a "day" is one business day (e.g. 09:00-17:00 = 8 hours).
    work = (
        timedelta(seconds=span.total_seconds() / 86400 * office.day_length.total_seconds())
        if span % timedelta(days=1) == timedelta(0)
        else span
    )
    return office.add(start, work)


def thresholds(row: SlaClock) -> list[tuple[str, datetime, datetime | None]]:
    """(name, moment, fired at) of a clock's three thresholds, in order."""
    return [
        ("warn", row.warn_at, row.warned_at),
        ("escalate", row.escalate_at, row.escalated_at),
        ("breach", row.due_at, row.breached_at),
    ]


FIRED_FIELD = {"warn": "warned_at", "escalate": "escalated_at", "breach": "breached_at"}


def next_check(row: SlaClock) -> datetime | None:
    """The next threshold not yet fired, or None when all have."""
    pending = [moment for _name, moment, fired in thresholds(row) if fired is None]
    return min(pending) if pending else None


class SlaClocks(IssueHooks):
    """Starts, stops and recomputes clocks as the issue changes (the incidents hooks)."""

    def __init__(self, config: SlaConfig) -> None:
        self.config = config

    def _schedule(self, row: SlaClock, severity: str, span: timedelta | None = None) -> bool:
        """Set the thresholds from the severity's policy (or the span given); False if
        there is no such clock."""
        policy = self.config.policy(severity)
        if span is not None:  # a promise made in words ("in 1 hour"): wall-clock time
            policy = SlaPolicy()
        span = span or getattr(policy, row.kind)
        if span is None:
            return False
        row.warn_at = _deadline(policy, row.started_at, span * self.config.warn_at)
        row.escalate_at = _deadline(policy, row.started_at, span * self.config.escalate_at)
        row.due_at = _deadline(policy, row.started_at, span)
        row.next_check_at = next_check(row)
        return True

    def _row(self, session: Session, issue: Issue, kind: str) -> SlaClock | None:
        return session.exec(
            select(SlaClock).where(SlaClock.issue_id == issue.id, SlaClock.kind == kind)
        ).first()

    def start(
        self, session: Session, issue: Issue, kind: str, at: datetime, span: timedelta | None = None
    ) -> None:
        """Start (or restart from zero) a clock; nothing if the policy has no such clock
        and no `span` is given."""
        assert issue.id is not None
        row = self._row(session, issue, kind) or SlaClock(
            issue_id=issue.id, kind=kind, started_at=at, warn_at=at, escalate_at=at, due_at=at
        )
        row.started_at, row.stopped_at = at, None
        row.warned_at = row.escalated_at = row.breached_at = None
        if self._schedule(row, issue.severity, span):
            session.add(row)
        elif row.id is not None:
            session.delete(row)

    def stop(self, session: Session, issue: Issue, kind: str, at: datetime) -> None:
        row = self._row(session, issue, kind)
        if row is not None and row.stopped_at is None:
            row.stopped_at, row.next_check_at = at, None
            session.add(row)
        self._stop_escalation(session, issue, kind, at, reason=f"{kind} clock stopped")

    def on_severity_changed(self, session: Session, issue: Issue) -> None:
        """After a severity change: same starts, new deadlines (fired thresholds stay fired)."""
        for row in session.exec(select(SlaClock).where(SlaClock.issue_id == issue.id)):
            if row.stopped_at is not None:
                continue
            if not self._schedule(row, issue.severity):
                session.delete(row)
            else:
                session.add(row)

    @staticmethod
    def _stop_escalation(
        session: Session, issue: Issue, clock: str, at: datetime, reason: str
    ) -> None:
        row = running_escalation(session, issue, clock)
        if row is not None:
            row.stopped_at, row.next_step_at, row.stop_reason = at, None, reason[:40]
            session.add(row)

    def stop_escalations(self, session: Session, issue: Issue, at: datetime, reason: str) -> int:
        rows = session.exec(
            select(Escalation).where(
                Escalation.issue_id == issue.id, col(Escalation.stopped_at).is_(None)
            )
        ).all()
        for row in rows:
            row.stopped_at, row.next_step_at, row.stop_reason = at, None, reason[:40]
            session.add(row)
        return len(rows)

    # -- lifecycle hooks -----------------------------------------------------
    def on_filed(self, session: Session, issue: Issue) -> None:
        self.start(session, issue, "acknowledge", issue.created_at)
        self.start(session, issue, "resolve", issue.created_at)

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        self.stop(session, issue, "acknowledge", at)
        self.start(session, issue, "update", at)

    def on_update(
        self, session: Session, issue: Issue, at: datetime, next_in: timedelta | None = None
    ) -> None:
        """An update restarts the update clock; a promised "next update in" replaces
        the policy's span (and runs even where the policy has no update clock)."""
        if issue.acknowledged_at is not None and issue.fixed_at is None:
            self.start(session, issue, "update", at, span=next_in)

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        self.stop(session, issue, "resolve", at)
        self.stop(session, issue, "update", at)
        self.stop(session, issue, "acknowledge", at)

    def on_reopened(self, session: Session, issue: Issue, at: datetime) -> None:
        self.start(session, issue, "resolve", at)
        self.start(session, issue, "update", at)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        """A close from any status (a merge, the weekly review) skips Fixed: stop here too."""
        if issue.status == Status.CLOSED:
            self.on_fixed(session, issue, at)


def running_escalation(session: Session, issue: Issue, clock: str) -> Escalation | None:
    """The escalation a clock started that has not stopped, if any."""
    return session.exec(
        select(Escalation).where(
            Escalation.issue_id == issue.id,
            Escalation.clock == clock,
            col(Escalation.stopped_at).is_(None),
        )
    ).first()


def clocks_by_issue(db: Database, issue_ids: list[int]) -> dict[int, list[SlaClock]]:
    with db.session() as session:
        rows = session.exec(select(SlaClock).where(col(SlaClock.issue_id).in_(issue_ids)))
        found: dict[int, list[SlaClock]] = {}
        for row in rows:
            found.setdefault(row.issue_id, []).append(row)
        return found
