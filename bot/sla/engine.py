"""The SLA and escalation engine: one tick claims what is due, decides, and enqueues.

State lives in the database only: clocks (`next_check_at`), escalations
(`next_step_at`) and a ledger of notifications with unique keys. A tick reads
due rows by index (cost grows with what is due, not with open issues), claims
them with `FOR UPDATE SKIP LOCKED` on PostgreSQL and a conditional UPDATE on
every database, and writes its decisions, ledger rows and outbox items in the
same transaction, so each warning, ping and step is decided exactly once,
whatever the number of replicas and restarts. Everything that fell due while
nobody was running fires once, coalesced: the highest threshold only.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.domain import Status, label
from bot.core.durations import format_duration
from bot.core.errors import FirebellError
from bot.core.ledger import record_once
from bot.core.observations import PAGED, SLA_BREACHED, note
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.sla import kinds
from bot.sla.clocks import FIRED_FIELD, next_check, running_escalation, thresholds
from bot.sla.config import EscalationPolicy, OnCallConfig, Target
from bot.sla.escalation_start import policy_of, start_escalation
from bot.sla.event_kinds import SlaEvent
from bot.sla.page_log import record_page
from bot.sla.paged_people import invite_paged_person
from bot.sla.targets import NobodyOnCall, PageTarget, TargetKind, render, resolve
from storage.db import Database
from storage.models import Escalation, Issue, SlaClock

log = logging.getLogger(__name__)

BATCH = 200


@dataclass
class TickResult:
    warnings: int = 0
    escalations_started: int = 0
    breaches: int = 0
    steps: int = 0
    pings: list[str] = field(default_factory=list)  # PageTarget's log-safe str, never a key

    @property
    def anything(self) -> bool:
        return bool(self.warnings or self.escalations_started or self.breaches or self.steps)


def spent(row: Escalation, policy: EscalationPolicy) -> bool:
    """Every step of every round has paged; what is left is the last step's wait."""
    return row.loop > policy.repeat


def why(session: Session, row: Escalation, now: datetime) -> dict[str, Any]:
    """Why a step pages, as facts for the page's words (sla/views.py page_reason)."""
    if row.forced_by:
        return {"reason": "forced", "by": row.forced_by}
    if row.on_open and row.step == 0 and row.loop == 0:
        return {"reason": "on_open"}
    clock = session.exec(
        select(SlaClock).where(SlaClock.issue_id == row.issue_id, SlaClock.kind == row.clock)
    ).first()
    if clock is None or clock.due_at <= clock.started_at:
        return {"reason": "sla"}
    elapsed = (now - clock.started_at) / (clock.due_at - clock.started_at)
    return {"reason": "sla", "percent": int(elapsed * 100), "due": clock.due_at.isoformat()}


class Engine:
    def __init__(self, db: Database, clock: Clock, config: OnCallConfig) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def tick(self) -> TickResult:
        result = TickResult()
        now = self.clock.now()
        while self._sweep_clocks(now, result) == BATCH:
            pass
        while self._sweep_escalations(now, result) == BATCH:
            pass
        return result

    # -- clocks ---------------------------------------------------------------
    def _claim(self, session: Session, model: Any, column: Any, now: datetime) -> list[Any]:
        stmt = select(model).where(column <= now).order_by(column).limit(BATCH)
        if self.db.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(session.exec(stmt))
        claimed = []
        for row in rows:
            # Conditional claim: only if nobody moved this row since we read it.
            moved = session.execute(
                update(model)
                .where(col(model.id) == row.id, column == getattr(row, column.key))
                .values({column.key: None})
            )
            if moved.rowcount == 1:  # type: ignore[attr-defined]
                claimed.append(row)
        return claimed

    def _sweep_clocks(self, now: datetime, result: TickResult) -> int:
        with self.db.session() as session:
            rows: list[SlaClock] = self._claim(session, SlaClock, col(SlaClock.next_check_at), now)
            for row in rows:
                session.refresh(row)
                self._fire_clock(session, row, now, result)
            return len(rows)

    def _fire_clock(
        self, session: Session, row: SlaClock, now: datetime, result: TickResult
    ) -> None:
        issue = session.get(Issue, row.issue_id)
        assert issue is not None and issue.id is not None
        crossed = [
            name for name, moment, fired in thresholds(row) if fired is None and moment <= now
        ]
        # Catch-up after downtime: every crossed threshold is marked, only the highest acts.
        for name in crossed:
            setattr(row, FIRED_FIELD[name], now)
        row.next_check_at = next_check(row)
        session.add(row)
        if not crossed or row.stopped_at is not None:
            return
        highest = crossed[-1]
        if not record_once(
            session,
            f"sla:{issue.id}:{row.kind}:{row.started_at.isoformat()}:{highest}",
            issue.id,
            f"sla_{highest}",
            now,
        ):
            return
        if highest == "warn":
            result.warnings += 1
            event = add_event(
                session,
                issue,
                SlaEvent.SLA_WARNING,
                self.clock,
                None,
                clock=row.kind,
                left=format_duration(row.due_at - now),
                due=row.due_at.isoformat(),
            )
            kinds.notice(session, self.clock, issue, event)
        elif highest == "escalate":
            add_event(
                session,
                issue,
                SlaEvent.SLA_ESCALATING,
                self.clock,
                None,
                clock=row.kind,
                left=format_duration(row.due_at - now),
            )
            if self._start_escalation(session, issue, row.kind, now, row.started_at):
                result.escalations_started += 1
        else:
            result.breaches += 1
            issue.breached_at = issue.breached_at or now
            session.add(issue)
            event = add_event(
                session, issue, SlaEvent.SLA_BREACHED, self.clock, None, clock=row.kind
            )
            note(session, SLA_BREACHED, row.kind, issue.severity, about=issue)
            escalating = self._advance_now(session, issue, row.kind, now)
            if not escalating and self._start_escalation(
                session, issue, row.kind, now, row.started_at
            ):
                result.escalations_started += 1
                escalating = True
            # The notice says whether anyone is being paged, so it never promises a step.
            event.payload = {**event.payload, "escalating": escalating}
            kinds.notice(session, self.clock, issue, event)
            incident_kinds.refresh_card(session, self.clock, issue)

    # -- escalations -------------------------------------------------------------
    def policy_for(self, issue: Issue) -> EscalationPolicy | None:
        return policy_of(self.config, issue)

    def _start_escalation(
        self,
        session: Session,
        issue: Issue,
        clock: str,
        now: datetime,
        clock_started: datetime | None = None,
    ) -> bool:
        return start_escalation(
            session, self.clock, issue, self.policy_for(issue), clock, now, clock_started
        )

    def _advance_now(self, session: Session, issue: Issue, clock: str, now: datetime) -> bool:
        """Move a running escalation to its next step at once; False if none runs (or it
        has paged every step and only waits to run out)."""
        row = running_escalation(session, issue, clock)
        if row is None or spent(row, EscalationPolicy(**row.policy)):
            return False
        row.next_step_at = now
        session.add(row)
        return True

    def _sweep_escalations(self, now: datetime, result: TickResult) -> int:
        with self.db.session() as session:
            rows: list[Escalation] = self._claim(
                session, Escalation, col(Escalation.next_step_at), now
            )
            for row in rows:
                session.refresh(row)
                if row.stopped_at is None:
                    self._run_step(session, row, now, result)
            return len(rows)

    def _run_step(
        self, session: Session, row: Escalation, now: datetime, result: TickResult
    ) -> None:
        issue = session.get(Issue, row.issue_id)
        assert issue is not None and issue.id is not None
        policy = EscalationPolicy(**row.policy)
        if spent(row, policy):
            # The last step's wait has passed and nobody acknowledged (that would have
            # stopped the escalation): only now has it run out of steps.
            row.stopped_at, row.next_step_at, row.stop_reason = now, None, "exhausted"
            add_event(
                session, issue, SlaEvent.ESCALATION_EXHAUSTED, self.clock, None, clock=row.clock
            )
            session.add(row)
            return
        step = policy.steps[row.step]
        # started_at is in the key: SQLite hands a deleted row's id to the next row, and a
        # restarted escalation must not find the steps of the one it replaced.
        key = f"esc:{row.id}:{row.started_at.isoformat()}:{row.loop}:{row.step}"
        if record_once(session, key, issue.id, "escalation_step", now):
            result.steps += 1
            names = [
                self._page(session, issue, row, target, now, result) for target in step.targets
            ]
            event = add_event(
                session,
                issue,
                SlaEvent.ESCALATED,
                self.clock,
                None,
                clock=row.clock,
                step=row.step + 1,
                steps=len(policy.steps),
                loop=row.loop + 1,
                targets=[n for n in names if n],
            )
            kinds.notice(session, self.clock, issue, event)
        row.forced_by = None  # the step asked for has paged
        row.step += 1
        if row.step >= len(policy.steps):
            row.step, row.loop = 0, row.loop + 1
        row.next_step_at = now + step.wait
        session.add(row)

    def _page(
        self,
        session: Session,
        issue: Issue,
        row: Escalation,
        target: Target,
        now: datetime,
        result: TickResult,
    ) -> str | None:
        """Enqueue one target's ping; returns how the target reads in the channel."""
        configured = PageTarget.configured(target)
        try:
            resolved = resolve(session, self.config, configured, now)
        except NobodyOnCall:
            return f"nobody on call for {configured.value}"
        kind, value = resolved.target.kind.value, resolved.target.value
        result.pings.append(str(resolved.target))  # log-safe: a pager's key as a hash
        note(session, PAGED, kind, about=issue)
        record_page(session, self.config, issue, kind, value, now, schedule=resolved.schedule)
        if resolved.target.kind == TargetKind.USER:  # into the channel before the DM
            invite_paged_person(session, self.clock, issue, value)
        page = kinds.Page(
            kind, value, row.id, row.clock, row.step + 1, row.loop + 1, **why(session, row, now)
        )
        enqueue(session, self.clock, page, issue=issue)
        return render(resolved.target)

    def escalate_now(self, issue_id: int, actor_id: str) -> str:
        """`/incident escalate`: the next step now, or start escalating if none runs."""
        now = self.clock.now()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            if issue.status in (Status.FIXED, Status.CLOSED):
                raise FirebellError(
                    f"{issue.key} is {label(issue.status)}: no SLA is running out, so there is "
                    "nobody to page. Reopen it first if it is broken again."
                )
            running = session.exec(
                select(Escalation).where(
                    Escalation.issue_id == issue_id, col(Escalation.stopped_at).is_(None)
                )
            ).first()
            add_event(session, issue, SlaEvent.ESCALATION_FORCED, self.clock, actor_id)
            if running is not None and spent(running, EscalationPolicy(**running.policy)):
                # It has paged every step and waits only to say so: start it afresh.
                running.stopped_at, running.next_step_at = now, None
                running.stop_reason = "exhausted"
                session.add(running)
                session.flush()
                running = None
            if running is not None:
                running.next_step_at, running.forced_by = now, actor_id
                session.add(running)
                return f"{issue.key} moves to its next escalation step now."
            clock = "resolve" if issue.acknowledged_at else "acknowledge"
            if self._start_escalation(session, issue, clock, now):
                started = running_escalation(session, issue, clock)
                if started is not None:
                    started.forced_by = actor_id
                    session.add(started)
                return f"{issue.key} is being escalated now."
        return (
            f"No escalation policy applies to {issue.key}; "
            "add one under escalation_policies in firebell.yml."
        )
