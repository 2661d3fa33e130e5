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
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.domain import Status, label
from bot.core.durations import format_duration
from bot.core.errors import FirebellError
from bot.core.ledger import record_many
from bot.core.observations import PAGED, SLA_BREACHED, note
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.sla import kinds
from bot.sla.batch import Batch
from bot.sla.clocks import running_escalation, thresholds
from bot.sla.config import EscalationPolicy, OnCallConfig, Target
from bot.sla.escalation_start import policy_of, start_escalation
from bot.sla.event_kinds import SlaEvent
from bot.sla.page_log import page_row
from bot.sla.paged_people import invite_paged_person
from bot.sla.targets import NobodyOnCall, PageTarget, Resolved, TargetKind, render, resolve
from storage.bulk import any_of
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


def why(row: Escalation, now: datetime, clock: SlaClock | None) -> dict[str, Any]:
    """Why a step pages, as facts for the page's words (sla/views.py page_reason);
    `clock` is the escalation's clock row, read with the sweep's batch."""
    if row.forced_by:
        return {"reason": "forced", "by": row.forced_by}
    if row.on_open and row.step == 0 and row.loop == 0:
        return {"reason": "on_open"}
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

    # -- claiming ---------------------------------------------------------------
    def _claim(self, session: Session, model: Any, column: Any, now: datetime) -> list[Any]:
        """Up to BATCH due rows, claimed in two statements whatever their number: read
        (PostgreSQL locks them, skipping rows another replica holds), then one
        conditional UPDATE that takes only the rows still due, so a row another
        transaction moved since the read is left to it. Claimed rows come back in
        due order, their column cleared (as it now is in the database)."""
        stmt = select(model).where(column <= now).order_by(column, col(model.id)).limit(BATCH)
        if self.db.is_postgres:
            stmt = stmt.with_for_update(skip_locked=True)
        rows = list(session.exec(stmt))
        if not rows:
            return []
        taken = set(
            session.execute(
                update(model)
                .where(
                    any_of(model.id, [row.id for row in rows], self.db.is_postgres), column <= now
                )
                .values({column.key: None})
                .returning(col(model.id))
                .execution_options(synchronize_session=False)
            ).scalars()
        )
        claimed = [row for row in rows if row.id in taken]
        for row in claimed:
            set_committed_value(row, column.key, None)
        return claimed

    # -- clocks ---------------------------------------------------------------
    def _sweep_clocks(self, now: datetime, result: TickResult) -> int:
        with self.db.session() as session:
            rows: list[SlaClock] = self._claim(session, SlaClock, col(SlaClock.next_check_at), now)
            if not rows:
                return 0
            keys = []
            for row in rows:
                highest = self._highest(row, now)
                if highest is not None and row.stopped_at is None:
                    key = f"sla:{row.issue_id}:{row.kind}:{row.started_at.isoformat()}:{highest}"
                    keys.append(
                        {
                            "key": key,
                            "issue_id": row.issue_id,
                            "kind": f"sla_{highest}",
                            "created_at": now,
                        }
                    )
            batch = Batch.read(session, self.clock, {row.issue_id for row in rows}, keys)
            with session.no_autoflush:
                for row in rows:
                    self._fire_clock(batch, row, now, result)
            if batch.started:
                self._step_started(batch, now, result)
            batch.finish()
            return len(rows)

    def _step_started(self, batch: Batch, now: datetime, result: TickResult) -> None:
        """The escalations this clock batch started take their first step in the same
        transaction (as the escalation sweep would, later in this tick): nobody else
        can see them before it commits, and they commit due only after that step's
        wait. Their step keys need their ids (`Batch.give_ids`)."""
        started = batch.give_ids()
        with batch.session.no_autoflush:
            batch.claimed |= record_many(
                batch.session,
                [
                    {
                        "key": self._step_key(row),
                        "issue_id": row.issue_id,
                        "kind": "escalation_step",
                        "created_at": now,
                    }
                    for row in started
                ],
            )
            for row in started:
                self._run_step(batch, row, now, result)

    @staticmethod
    def _highest(row: SlaClock, now: datetime) -> str | None:
        crossed = [
            name for name, moment, fired in thresholds(row) if fired is None and moment <= now
        ]
        return crossed[-1] if crossed else None

    def _fire_clock(self, batch: Batch, row: SlaClock, now: datetime, result: TickResult) -> None:
        session = batch.session
        issue = batch.issues[row.issue_id]
        assert issue.id is not None
        crossed = [
            name for name, moment, fired in thresholds(row) if fired is None and moment <= now
        ]
        # Catch-up after downtime: every crossed threshold is marked, only the highest acts.
        batch.clock_fired(row, crossed, now)
        if not crossed or row.stopped_at is not None:
            return
        highest = crossed[-1]
        key = f"sla:{issue.id}:{row.kind}:{row.started_at.isoformat()}:{highest}"
        if key not in batch.claimed:
            return
        if highest == "warn":
            result.warnings += 1
            event = batch.events.add(
                session,
                issue,
                SlaEvent.SLA_WARNING,
                self.clock,
                None,
                clock=row.kind,
                left=format_duration(row.due_at - now),
                due=row.due_at.isoformat(),
            )
            kinds.notice(session, self.clock, issue, event, batch.send)
        elif highest == "escalate":
            batch.events.add(
                session,
                issue,
                SlaEvent.SLA_ESCALATING,
                self.clock,
                None,
                clock=row.kind,
                left=format_duration(row.due_at - now),
            )
            if self._start_escalation(session, issue, row.kind, now, row.started_at, batch):
                result.escalations_started += 1
        else:
            result.breaches += 1
            if issue.breached_at is None:  # written with the batch's others (`finish`)
                set_committed_value(issue, "breached_at", now)
                batch.breached.append({"id": issue.id, "breached_at": now})
            breached = batch.events.add(
                session, issue, SlaEvent.SLA_BREACHED, self.clock, None, clock=row.kind
            )
            note(session, SLA_BREACHED, row.kind, issue.severity, about=issue)
            escalating = self._advance_now(batch, issue, row.kind, now)
            if not escalating and self._start_escalation(
                session, issue, row.kind, now, row.started_at, batch
            ):
                result.escalations_started += 1
                escalating = True
            # The notice says whether anyone is being paged, so it never promises a step.
            breached["payload"]["escalating"] = escalating
            kinds.notice(session, self.clock, issue, breached, batch.send)
            batch.send(issue, incident_kinds.UpdateCard())

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
        batch: Batch | None = None,
    ) -> bool:
        if batch is None:
            policy = self.policy_for(issue)
        else:  # chosen once a batch per kind of issue
            chosen = (issue.escalation_policy, issue.severity, issue.type, issue.service)
            if chosen not in batch.policies:
                batch.policies[chosen] = self.policy_for(issue)
            policy = batch.policies[chosen]
        started = start_escalation(
            session,
            self.clock,
            issue,
            policy,
            clock,
            now,
            clock_started,
            known=batch.escalations if batch is not None else None,
            add=batch.events.add if batch is not None else add_event,
        )
        if started and batch is not None:
            assert issue.id is not None
            batch.started.append(batch.escalations[(issue.id, clock)])
        return started

    def _advance_now(self, batch: Batch, issue: Issue, clock: str, now: datetime) -> bool:
        """Move a running escalation to its next step at once; False if none runs (or it
        has paged every step and only waits to run out)."""
        assert issue.id is not None
        row = batch.escalations.get((issue.id, clock))
        if row is None or row.stopped_at is not None:
            return False
        if spent(row, EscalationPolicy(**row.policy)):
            return False
        row.next_step_at = now
        batch.session.add(row)
        return True

    def _sweep_escalations(self, now: datetime, result: TickResult) -> int:
        with self.db.session() as session:
            rows: list[Escalation] = self._claim(
                session, Escalation, col(Escalation.next_step_at), now
            )
            if not rows:
                return 0
            keys = [
                {
                    "key": self._step_key(row),
                    "issue_id": row.issue_id,
                    "kind": "escalation_step",
                    "created_at": now,
                }
                for row in rows
                if row.stopped_at is None and not spent(row, EscalationPolicy(**row.policy))
            ]
            batch = Batch.read(session, self.clock, {row.issue_id for row in rows}, keys)
            with session.no_autoflush:
                for row in rows:
                    if row.stopped_at is None:
                        self._run_step(batch, row, now, result)
            batch.finish()
            return len(rows)

    @staticmethod
    def _step_key(row: Escalation) -> str:
        # started_at is in the key: SQLite hands a deleted row's id to the next row, and a
        # restarted escalation must not find the steps of the one it replaced.
        return f"esc:{row.id}:{row.started_at.isoformat()}:{row.loop}:{row.step}"

    def _run_step(self, batch: Batch, row: Escalation, now: datetime, result: TickResult) -> None:
        session = batch.session
        issue = batch.issues[row.issue_id]
        assert issue.id is not None
        policy = EscalationPolicy(**row.policy)
        if spent(row, policy):
            # The last step's wait has passed and nobody acknowledged (that would have
            # stopped the escalation): only now has it run out of steps.
            row.stopped_at, row.next_step_at, row.stop_reason = now, None, "exhausted"
            batch.events.add(
                session, issue, SlaEvent.ESCALATION_EXHAUSTED, self.clock, None, clock=row.clock
            )
            session.add(row)
            return
        step = policy.steps[row.step]
        if self._step_key(row) in batch.claimed:
            result.steps += 1
            names = [self._page(batch, issue, row, target, now, result) for target in step.targets]
            event = batch.events.add(
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
            kinds.notice(session, self.clock, issue, event, batch.send)
        row.forced_by = None  # the step asked for has paged
        row.step += 1
        if row.step >= len(policy.steps):
            row.step, row.loop = 0, row.loop + 1
        row.next_step_at = now + step.wait
        session.add(row)

    def _resolve(self, batch: Batch, target: PageTarget, now: datetime) -> Resolved:
        """Who a target means now; a schedule is read once a batch (all at one `now`)."""
        if target not in batch.targets:
            try:
                batch.targets[target] = resolve(batch.session, self.config, target, now)
            except NobodyOnCall as exc:
                batch.targets[target] = exc
        found = batch.targets[target]
        if isinstance(found, NobodyOnCall):
            raise found
        return found

    def _page(
        self,
        batch: Batch,
        issue: Issue,
        row: Escalation,
        target: Target,
        now: datetime,
        result: TickResult,
    ) -> str | None:
        """Enqueue one target's ping; returns how the target reads in the channel."""
        session = batch.session
        configured = PageTarget.configured(target)
        try:
            resolved = self._resolve(batch, configured, now)
        except NobodyOnCall:
            return f"nobody on call for {configured.value}"
        kind, value = resolved.target.kind.value, resolved.target.value
        result.pings.append(str(resolved.target))  # log-safe: a pager's key as a hash
        note(session, PAGED, kind, about=issue)
        page_sent = page_row(self.config, issue, kind, value, now, schedule=resolved.schedule)
        if page_sent is not None:
            batch.pages.append(page_sent)
        if resolved.target.kind == TargetKind.USER:  # into the channel before the DM
            invite_paged_person(session, self.clock, issue, value, batch)
        assert issue.id is not None
        clock = batch.clocks.get((issue.id, row.clock))
        page = kinds.Page(
            kind,
            value,
            row.id,
            row.clock,
            row.step + 1,
            row.loop + 1,
            **why(row, now, clock),
        )
        batch.send(issue, page)
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
