"""Changing an issue: roles, severity, priority, status, updates, deploys.

Each change is one transaction: the issue, its timeline event and the Slack
effects it needs (card refresh, announcement, reporter DM, checklist).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.domain import Priority, Severity, Status, label
from bot.core.errors import FirebellError
from bot.incidents import outbox as effects
from bot.incidents.checklist import propose_next_if_ready, unfinished_required
from bot.incidents.filing import add_event
from bot.incidents.rules import (
    PHASE_OF,
    Actor,
    check_transition,
    require_steer,
    require_take_or_steer,
)
from bot.playbooks.loader import Playbooks
from bot.playbooks.model import Role
from bot.sla.clocks import SlaClocks
from storage.db import Database
from storage.models import Issue, Participant, StepState, TimelineEvent

UPDATE_MAX = 3000


@dataclass(frozen=True)
class Changed:
    """What a change did, in words for the person who asked."""

    issue: Issue
    message: str


class Lifecycle:
    def __init__(self, db: Database, clock: Clock, playbooks: Playbooks, sla: SlaClocks) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.sla = sla

    @contextmanager
    def _editing(self, issue_id: int) -> Iterator[tuple[Session, Issue]]:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id, with_for_update=self.db.is_postgres)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            yield session, issue
            session.add(issue)

    def _participant(self, session: Session, issue: Issue, user_id: str, role: str) -> None:
        assert issue.id is not None
        exists = session.exec(
            select(Participant).where(
                Participant.issue_id == issue.id,
                Participant.user_id == user_id,
                Participant.role == role,
            )
        ).first()
        if exists is None:
            session.add(
                Participant(
                    issue_id=issue.id, user_id=user_id, role=role, added_at=self.clock.now()
                )
            )

    def _drop_role(self, session: Session, issue: Issue, role: str) -> None:
        for row in session.exec(
            select(Participant).where(Participant.issue_id == issue.id, Participant.role == role)
        ):
            session.delete(row)

    # -- taking the issue --------------------------------------------------
    def acknowledge(self, issue_id: int, actor: Actor) -> Changed:
        """Anyone may acknowledge; on an issue nobody leads, they take it."""
        with self._editing(issue_id) as (session, issue):
            if issue.acknowledged_at is not None:
                return Changed(issue, f"{issue.key} was already acknowledged.")
            issue.acknowledged_at = self.clock.now()
            self.sla.on_acknowledged(session, issue, issue.acknowledged_at)
            stopped = self.sla.stop_all_escalations(
                session, issue, issue.acknowledged_at, "acknowledged"
            )
            add_event(
                session,
                issue,
                "acknowledged",
                self.clock,
                actor.user_id,
                escalations_stopped=stopped or None,
            )
            effects.announce(
                session, self.clock, issue, f"<@{actor.user_id}> acknowledged {issue.key}."
            )
            if not issue.assignee_id:
                self._set_assignee(session, issue, actor.user_id, actor)
            if not issue.commander_id:
                self._set_commander(session, issue, actor.user_id, actor)
            if issue.status == Status.NEW:
                self._move(session, issue, Status.ASSIGNED, actor)
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"You acknowledged {issue.key}.")

    def assign(self, issue_id: int, actor: Actor, user_id: str) -> Changed:
        with self._editing(issue_id) as (session, issue):
            require_take_or_steer(issue, actor, "assign it")
            if issue.assignee_id == user_id:
                return Changed(issue, f"<@{user_id}> is already the assignee of {issue.key}.")
            self._set_assignee(session, issue, user_id, actor)
            if issue.status == Status.NEW:
                self._move(session, issue, Status.ASSIGNED, actor)
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> assigned {issue.key} to <@{user_id}>.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"{issue.key} is assigned to <@{user_id}>.")

    def set_role(self, issue_id: int, actor: Actor, role: Role, user_id: str) -> Changed:
        if role == Role.ASSIGNEE:
            return self.assign(issue_id, actor, user_id)
        with self._editing(issue_id) as (session, issue):
            require_take_or_steer(issue, actor, f"name the {role.value}")
            if role == Role.COMMANDER:
                self._set_commander(session, issue, user_id, actor)
            else:
                self._set_lead(session, issue, role, user_id, actor)
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> made <@{user_id}> {role.value} of {issue.key}.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"<@{user_id}> is now {role.value} of {issue.key}.")

    def _set_assignee(self, session: Session, issue: Issue, user_id: str, actor: Actor) -> None:
        issue.assignee_id = user_id
        self._set_lead(session, issue, Role.ASSIGNEE, user_id, actor)

    def _set_commander(self, session: Session, issue: Issue, user_id: str, actor: Actor) -> None:
        issue.commander_id = user_id
        self._set_lead(session, issue, Role.COMMANDER, user_id, actor)

    def _set_lead(
        self, session: Session, issue: Issue, role: Role, user_id: str, actor: Actor
    ) -> None:
        """Give one person a role (replacing whoever had it), record it, invite them."""
        self._drop_role(session, issue, role.value)
        self._participant(session, issue, user_id, role.value)
        add_event(
            session, issue, "role_set", self.clock, actor.user_id, role=role.value, user_id=user_id
        )
        effects.invite(session, self.clock, issue, user_id)

    # -- severity and priority ---------------------------------------------
    def set_severity(self, issue_id: int, actor: Actor, severity: Severity) -> Changed:
        with self._editing(issue_id) as (session, issue):
            require_steer(issue, actor, "change the severity")
            if issue.severity == severity:
                return Changed(issue, f"{issue.key} is already {label(severity)}.")
            before, issue.severity = issue.severity, severity.value
            self.sla.recompute(session, issue)
            add_event(
                session,
                issue,
                "severity_changed",
                self.clock,
                actor.user_id,
                before=before,
                after=severity.value,
            )
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> changed the severity of {issue.key}: "
                f"{label(before)} → *{label(severity)}*.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"{issue.key} severity is now {label(severity)}.")

    def set_priority(self, issue_id: int, actor: Actor, priority: Priority) -> Changed:
        with self._editing(issue_id) as (session, issue):
            require_steer(issue, actor, "change the priority")
            if issue.priority == priority:
                return Changed(issue, f"{issue.key} is already {label(priority)} priority.")
            before, issue.priority = issue.priority, priority.value
            add_event(
                session,
                issue,
                "priority_changed",
                self.clock,
                actor.user_id,
                before=before,
                after=priority.value,
            )
            was = label(before) if before else "not set"
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> changed the priority of {issue.key}: "
                f"{was} → *{label(priority)}*.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"{issue.key} priority is now {label(priority)}.")

    # -- status ------------------------------------------------------------
    def move_status(
        self, issue_id: int, actor: Actor, target: Status, summary: str | None = None
    ) -> Changed:
        with self._editing(issue_id) as (session, issue):
            require_steer(issue, actor, f"move it to {label(target)}")
            check_transition(issue, target)
            reopening = issue.status in (Status.FIXED, Status.CLOSED) and target == Status.ASSIGNED
            self._move(session, issue, target, actor, summary=summary, reopening=reopening)
            effects.refresh_card(session, self.clock, issue)
            verb = "reopened" if reopening else f"moved to {label(target)}"
            return Changed(issue, f"{issue.key} {verb}.")

    def reopen(self, issue_id: int, actor: Actor) -> Changed:
        with self._editing(issue_id) as (_session, issue):
            if issue.status not in (Status.FIXED, Status.CLOSED):
                raise FirebellError(
                    f"{issue.key} is {label(issue.status)}; only a Fixed or Closed issue reopens."
                )
        return self.move_status(issue_id, actor, Status.ASSIGNED)

    def _move(
        self,
        session: Session,
        issue: Issue,
        target: Status,
        actor: Actor | None,
        summary: str | None = None,
        reopening: bool = False,
    ) -> None:
        now = self.clock.now()
        who = actor.user_id if actor else None  # None: Firebell itself (a resolved alert)
        name = f"<@{who}>" if who else "Firebell"
        before = Status(issue.status)
        old_phase, new_phase = issue.phase, PHASE_OF[target].value
        if old_phase != new_phase:
            book = self.playbooks.get(issue.playbook)
            missing = unfinished_required(session, issue, book, old_phase)
            if missing:
                texts = [found[1].text for step_id in missing if (found := book.step(step_id))]
                add_event(
                    session,
                    issue,
                    "phase_left_incomplete",
                    self.clock,
                    who,
                    phase=old_phase,
                    steps=texts,
                )
        issue.status = target.value
        issue.phase = new_phase
        if target == Status.ASSIGNED and issue.acknowledged_at is None:
            issue.acknowledged_at = now
            self.sla.on_acknowledged(session, issue, now)
        if target == Status.FIXED:
            issue.fixed_at = now
            self.sla.on_fixed(session, issue, now)
            effects.enqueue(session, self.clock, issue, "offer_review")
        if target == Status.CLOSED:
            issue.closed_at = now
            summary = summary or latest_summary(session, issue)
        if reopening:
            issue.fixed_at = issue.deployed_at = issue.closed_at = None
            self.sla.on_reopened(session, issue, now)
        add_event(
            session,
            issue,
            "reopened" if reopening else "status_changed",
            self.clock,
            who,
            before=before.value,
            after=target.value,
        )
        text = (
            f"{name} reopened {issue.key}."
            if reopening
            else f"{name} moved {issue.key}: {label(before)} → *{label(target)}*."
        )
        effects.announce(session, self.clock, issue, text)
        effects.tell_reporter(
            session, self.clock, issue, before=before.value, after=target.value, summary=summary
        )
        if old_phase != new_phase or reopening:
            add_event(session, issue, "phase_started", self.clock, who, phase=new_phase)
            effects.post_checklist(session, self.clock, issue, new_phase)
        session.flush()
        if target != Status.CLOSED:
            propose_next_if_ready(session, self.clock, issue, self.playbooks.get(issue.playbook))

    # -- fixes and deploys ---------------------------------------------------
    def fix_from_alert(self, session: Session, issue: Issue, title: str) -> None:
        """A resolved alert whose route says so moves its issue to Fixed, from any open
        status: an automated exception to the lifecycle, recorded as Firebell's move."""
        if issue.status in (Status.FIXED, Status.CLOSED):
            return
        self._move(session, issue, Status.FIXED, None, summary=f"The alert “{title}” resolved.")
        effects.refresh_card(session, self.clock, issue)

    def mark_deployed(self, issue_id: int, actor: Actor) -> Changed:
        with self._editing(issue_id) as (session, issue):
            require_steer(issue, actor, "mark it deployed")
            if issue.fixed_at is None:
                raise FirebellError(
                    f"{issue.key} is {label(issue.status)}: mark it fixed before deployed "
                    "(a fix can wait for a deploy, not the other way round)."
                )
            if issue.deployed_at is not None:
                return Changed(issue, f"{issue.key} was already marked deployed.")
            issue.deployed_at = self.clock.now()
            add_event(session, issue, "deployed", self.clock, actor.user_id)
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> marked the fix for {issue.key} as deployed.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"{issue.key} fix is deployed.")

    # -- updates -------------------------------------------------------------
    def post_update(self, issue_id: int, actor: Actor, text: str) -> Changed:
        text = text.strip()
        if not text:
            raise FirebellError("Write the update after the command: `/incident update <text>`.")
        if len(text) > UPDATE_MAX:
            raise FirebellError(f"Keep an update to {UPDATE_MAX} characters (this is {len(text)}).")
        with self._editing(issue_id) as (session, issue):
            add_event(session, issue, "status_update", self.clock, actor.user_id, text=text)
            self.sla.on_update(session, issue, self.clock.now())
            effects.announce(
                session,
                self.clock,
                issue,
                f":mega: *Update on {issue.key}* from <@{actor.user_id}>\n{text}",
            )
            return Changed(issue, f"Update posted to {issue.key}.")

    def acknowledge_page(self, issue_id: int, actor: Actor) -> Changed:
        """The Acknowledge button of an escalation DM: ack the issue, stop its escalations."""
        changed = self.acknowledge(issue_id, actor)
        with self._editing(issue_id) as (session, issue):
            stopped = self.sla.stop_all_escalations(
                session, issue, self.clock.now(), "page acknowledged"
            )
            if stopped:
                add_event(session, issue, "page_acknowledged", self.clock, actor.user_id)
                effects.announce(
                    session,
                    self.clock,
                    issue,
                    f"<@{actor.user_id}> acknowledged the page for {issue.key}; "
                    "escalation stopped.",
                )
        return Changed(changed.issue, f"You acknowledged the page for {changed.issue.key}.")

    def close_in_review(self, issue_id: int, actor: Actor) -> Changed:
        """The weekly review's Close: an open issue nobody needs any more, from any status."""
        with self._editing(issue_id) as (session, issue):
            require_steer(issue, actor, "close it")
            if issue.status == Status.CLOSED:
                return Changed(issue, f"{issue.key} is already closed.")
            before, now = issue.status, self.clock.now()
            issue.status, issue.closed_at = Status.CLOSED.value, now
            self.sla.on_fixed(session, issue, now)  # stops every clock and escalation
            self.sla.stop_all_escalations(session, issue, now, "closed in review")
            add_event(
                session,
                issue,
                "closed_in_review",
                self.clock,
                actor.user_id,
                before=before,
                after=Status.CLOSED.value,
            )
            effects.announce(
                session,
                self.clock,
                issue,
                f"<@{actor.user_id}> closed {issue.key} in the weekly review.",
            )
            effects.tell_reporter(
                session,
                self.clock,
                issue,
                before=before,
                after=Status.CLOSED.value,
                summary="Closed in the weekly review as no longer relevant.",
            )
            effects.refresh_card(session, self.clock, issue)
            return Changed(issue, f"{issue.key} closed.")

    def still_relevant(self, issue_id: int, actor: Actor) -> Changed:
        with self._editing(issue_id) as (session, issue):
            add_event(session, issue, "still_relevant", self.clock, actor.user_id)
            return Changed(issue, f"Noted: {issue.key} is still relevant.")

    def set_reporter_updates(self, issue_id: int, actor: Actor, on: bool) -> Changed:
        with self._editing(issue_id) as (session, issue):
            if actor.user_id != issue.reporter_id:
                raise FirebellError("Only the reporter can change their own updates.")
            issue.reporter_updates = on
            add_event(session, issue, "reporter_updates", self.clock, actor.user_id, on=on)
            state = "on" if on else "off"
            return Changed(issue, f"Updates about {issue.key} are {state}.")


def latest_summary(session: Session, issue: Issue) -> str | None:
    """The resolution summary for a close without one: the root cause, else the last update."""
    answer = session.exec(
        select(StepState).where(StepState.issue_id == issue.id, StepState.step_id == "root-cause")
    ).first()
    if answer is not None and answer.answer:
        return answer.answer
    update = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.issue_id == issue.id, TimelineEvent.kind == "status_update")
        .order_by(col(TimelineEvent.id).desc())
    ).first()
    return str(update.payload.get("text")) if update is not None else None
