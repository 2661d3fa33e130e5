"""Changing an issue: roles, severity, priority, status, updates, deploys.

Each change is one transaction: the issue, its timeline event and the Slack
effects it needs (card refresh, announcement, reporter DM, checklist). Other
slices react through the hooks (SLA clocks, the review offer).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.domain import Priority, Severity, Status, label
from bot.core.errors import FirebellError
from bot.core.ids import ModalField
from bot.core.observations import DEPLOYED, note
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.checklist import propose_next_if_ready
from bot.incidents.closing import Closing, latest_summary
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.hooks import IssueHooks
from bot.incidents.issue_figures import TIME_TO_DEPLOY
from bot.incidents.queries import unfinished_required
from bot.incidents.reporters import set_listening
from bot.incidents.roles import set_lead
from bot.incidents.rules import PHASE_OF, check_transition, require_steer, require_take_or_steer
from bot.playbooks.loader import Playbooks
from bot.playbooks.model import Role
from storage.db import Database
from storage.models import Issue, TimelineEvent

UPDATE_MAX = 3000


@dataclass(frozen=True)
class Changed:
    """What a change did, in words for the person who asked."""

    issue: Issue
    message: str


@contextmanager
def editing(db: Database, issue_id: int) -> Iterator[tuple[Session, Issue]]:
    """One change to one issue: a transaction with the issue row locked (PostgreSQL)."""
    with db.session() as session:
        issue = session.get(Issue, issue_id, with_for_update=db.is_postgres)
        if issue is None:
            raise FirebellError("That issue no longer exists.")
        yield session, issue
        session.add(issue)


class Lifecycle:
    def __init__(self, db: Database, clock: Clock, playbooks: Playbooks, hooks: IssueHooks) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.hooks = hooks

    # -- taking the issue --------------------------------------------------
    def acknowledge(self, issue_id: int, actor: Actor, *, outside: str | None = None) -> Changed:
        """Anyone may acknowledge; on an issue nobody leads, they take it. `outside`: the
        name of someone outside Slack who acknowledged in a tool (the actor is the tool,
        e.g. "pagerduty"): recorded by name, never mentioned, and they take no role."""
        with editing(self.db, issue_id) as (session, issue):
            if issue.acknowledged_at is not None:
                return Changed(issue, f"{issue.key} was already acknowledged.")
            issue.acknowledged_at = self.clock.now()
            self.hooks.on_acknowledged(session, issue, issue.acknowledged_at)
            stopped = self.hooks.stop_escalations(
                session, issue, issue.acknowledged_at, "acknowledged"
            )
            event = add_event(
                session,
                issue,
                IncidentEvent.ACKNOWLEDGED,
                self.clock,
                actor.user_id,
                escalations_stopped=stopped or None,
                by=outside,
            )
            kinds.announce(session, self.clock, issue, event)
            if outside is None and not issue.assignee_id:
                set_lead(session, self.clock, issue, Role.ASSIGNEE, actor.user_id, actor)
            if outside is None and not issue.commander_id:
                set_lead(session, self.clock, issue, Role.COMMANDER, actor.user_id, actor)
            if issue.status == Status.NEW:
                self._move(session, issue, Status.ASSIGNED, actor)
            kinds.refresh_card(session, self.clock, issue)
            return Changed(issue, f"You acknowledged {issue.key}.")

    def assign(self, issue_id: int, actor: Actor, user_id: str) -> Changed:
        return self.set_role(issue_id, actor, Role.ASSIGNEE, user_id)

    def set_role(self, issue_id: int, actor: Actor, role: Role, user_id: str) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            doing = "assign it" if role == Role.ASSIGNEE else f"name the {role.value}"
            require_take_or_steer(issue, actor, doing)
            if role == Role.ASSIGNEE and issue.assignee_id == user_id:
                return Changed(issue, f"<@{user_id}> is already the assignee of {issue.key}.")
            event = set_lead(session, self.clock, issue, role, user_id, actor)
            if role == Role.ASSIGNEE and issue.status == Status.NEW:
                self._move(session, issue, Status.ASSIGNED, actor)
            kinds.announce(session, self.clock, issue, event)
            kinds.refresh_card(session, self.clock, issue)
            if role == Role.ASSIGNEE:
                return Changed(issue, f"{issue.key} is assigned to <@{user_id}>.")
            return Changed(issue, f"<@{user_id}> is now {role.value} of {issue.key}.")

    # -- severity and priority ---------------------------------------------
    def set_severity(self, issue_id: int, actor: Actor, severity: Severity) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            require_steer(issue, actor, "change the severity")
            if issue.severity == severity:
                return Changed(issue, f"{issue.key} is already {label(severity)}.")
            before, issue.severity = issue.severity, severity.value
            self.hooks.on_severity_changed(session, issue)
            self._changed(
                session, issue, actor, IncidentEvent.SEVERITY_CHANGED, before, severity.value
            )
            return Changed(issue, f"{issue.key} severity is now {label(severity)}.")

    def set_priority(self, issue_id: int, actor: Actor, priority: Priority) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            require_steer(issue, actor, "change the priority")
            if issue.priority == priority:
                return Changed(issue, f"{issue.key} is already {label(priority)} priority.")
            before, issue.priority = issue.priority, priority.value
            self._changed(
                session, issue, actor, IncidentEvent.PRIORITY_CHANGED, before, priority.value
            )
            return Changed(issue, f"{issue.key} priority is now {label(priority)}.")

    def _changed(
        self,
        session: Session,
        issue: Issue,
        actor: Actor,
        kind: IncidentEvent,
        before: str | None,
        after: str,
    ) -> None:
        event = add_event(
            session, issue, kind, self.clock, actor.user_id, before=before, after=after
        )
        kinds.announce(session, self.clock, issue, event)
        kinds.refresh_card(session, self.clock, issue)

    # -- status ------------------------------------------------------------
    def move_status(
        self, issue_id: int, actor: Actor, target: Status, summary: str | None = None
    ) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            require_steer(issue, actor, f"move it to {label(target)}")
            check_transition(issue, target)
            reopening = issue.status in (Status.FIXED, Status.CLOSED) and target == Status.ASSIGNED
            self._move(session, issue, target, actor, summary=summary, reopening=reopening)
            kinds.refresh_card(session, self.clock, issue)
            verb = "reopened" if reopening else f"moved to {label(target)}"
            return Changed(issue, f"{issue.key} {verb}.")

    def close(self, issue_id: int, actor: Actor, summary: str | None = None) -> Changed:
        """`/incident close`: Fixed -> Closed, with the resolution told to the reporter."""
        return self.move_status(issue_id, actor, Status.CLOSED, summary)

    def close_anyway(self, issue_id: int, actor: Actor, why: Closing) -> Changed:
        """Close from any status for someone who steers it (the weekly review's Close)."""
        with editing(self.db, issue_id) as (session, issue):
            require_steer(issue, actor, "close it")
            if issue.status == Status.CLOSED:
                return Changed(issue, f"{issue.key} is already closed.")
            self.force_close(session, issue, actor, why)
            return Changed(issue, f"{issue.key} closed.")

    def force_close(
        self, session: Session, issue: Issue, actor: Actor, why: Closing
    ) -> TimelineEvent:
        """The exception to the transitions: close from any status (a merge, the weekly
        review), through the same move as every close, so the same hooks run (clocks,
        feed, rollup) and the phase follows. The caller has checked who may."""
        event = self._move(session, issue, Status.CLOSED, actor, closing=why)
        kinds.refresh_card(session, self.clock, issue)
        return event

    def reopen(self, issue_id: int, actor: Actor) -> Changed:
        with editing(self.db, issue_id) as (_session, issue):
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
        closing: Closing | None = None,
    ) -> TimelineEvent:
        """The one place an issue's status changes; returns the event recording it."""
        now = self.clock.now()
        who = actor.user_id if actor else None  # None: Firebell itself (a resolved alert)
        before = Status(issue.status)
        old_phase, new_phase = issue.phase, PHASE_OF[target].value
        if old_phase != new_phase:
            self._note_unfinished(session, issue, old_phase, who)
        issue.status = target.value
        issue.phase = new_phase
        if target == Status.ASSIGNED and issue.acknowledged_at is None:
            issue.acknowledged_at = now
            self.hooks.on_acknowledged(session, issue, now)
        if target == Status.FIXED:
            issue.fixed_at = now
        if target == Status.CLOSED:
            issue.closed_at = now
            summary = summary or (closing.summary if closing else None)
            summary = summary or latest_summary(session, issue)
            # A closed issue pages nobody (a close from any status may find some running).
            reason = closing.reason if closing else "closed"
            self.hooks.stop_escalations(session, issue, now, reason)
        if reopening:
            issue.fixed_at = issue.deployed_at = issue.closed_at = None
            self.hooks.on_reopened(session, issue, now)
        self.hooks.on_status_changed(session, issue, before.value, now, reopening)
        kind = (
            closing.kind
            if closing
            else IncidentEvent.REOPENED
            if reopening
            else IncidentEvent.STATUS_CHANGED
        )
        details = closing.details if closing else {}
        event = add_event(
            session,
            issue,
            kind,
            self.clock,
            who,
            before=before.value,
            after=target.value,
            **details,
        )
        (closing.announce if closing else kinds.announce)(session, self.clock, issue, event)
        if closing is None or closing.tell_reporter:
            kinds.tell_reporter(session, self.clock, issue, before.value, target.value, summary)
            self.hooks.on_reporters_told(session, issue, before.value, target.value)
        if old_phase != new_phase or reopening:
            add_event(session, issue, IncidentEvent.PHASE_STARTED, self.clock, who, phase=new_phase)
            if target != Status.CLOSED:  # nothing is left to do on a closed issue
                kinds.post_checklist(session, self.clock, issue, new_phase)
        if target == Status.FIXED:
            # After the move is told: the channel reads "moved to Fixed", then the review offer.
            self.hooks.on_fixed(session, issue, now)
        session.flush()
        if target != Status.CLOSED:
            propose_next_if_ready(session, self.clock, issue, self.playbooks.get(issue.playbook))
        return event

    def _note_unfinished(self, session: Session, issue: Issue, phase: str, who: str | None) -> None:
        book = self.playbooks.get(issue.playbook)
        missing = unfinished_required(session, issue, book, phase)
        if missing:
            texts = [found[1].text for step_id in missing if (found := book.step(step_id))]
            add_event(
                session,
                issue,
                IncidentEvent.PHASE_LEFT_INCOMPLETE,
                self.clock,
                who,
                phase=phase,
                steps=texts,
            )

    # -- fixes and deploys ---------------------------------------------------
    def fix_automatically(self, session: Session, issue: Issue, summary: str) -> None:
        """A resolved alert whose route says so, or a release that says it fixes the issue,
        moves it to Fixed from any open status: an automated exception to the lifecycle,
        recorded as Firebell's move."""
        if issue.status in (Status.FIXED, Status.CLOSED):
            return
        self._move(session, issue, Status.FIXED, None, summary=summary)
        kinds.refresh_card(session, self.clock, issue)

    def mark_deployed(self, issue_id: int, actor: Actor) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            require_steer(issue, actor, "mark it deployed")
            if issue.fixed_at is None:
                raise FirebellError(
                    f"{issue.key} is {label(issue.status)}: mark it fixed before deployed "
                    "(a fix can wait for a deploy, not the other way round)."
                )
            if issue.deployed_at is not None:
                return Changed(issue, f"{issue.key} was already marked deployed.")
            event = self.deployed(session, issue, self.clock.now(), actor.user_id)
            kinds.announce(session, self.clock, issue, event)
            return Changed(issue, f"{issue.key} fix is deployed.")

    def deployed(
        self, session: Session, issue: Issue, at: datetime, who: str | None, **release: Any
    ) -> TimelineEvent:
        """The one place a fix is marked deployed (by a person, or by a release that
        names the issue, `at` its deploy time): the first deploy after the fix counts
        for time to deploy; each is on the timeline. The caller tells the channel."""
        if issue.deployed_at is None:
            issue.deployed_at = at
            seconds = TIME_TO_DEPLOY.seconds(issue)  # the one definition (issue_figures.py)
            if seconds is not None:
                note(session, DEPLOYED, value=seconds, about=issue)
            session.add(issue)
        event = add_event(session, issue, IncidentEvent.DEPLOYED, self.clock, who, **release)
        kinds.refresh_card(session, self.clock, issue)
        return event

    # -- updates -------------------------------------------------------------
    def post_update(
        self,
        issue_id: int,
        actor: Actor,
        text: str,
        impact: str | None = None,
        next_in: timedelta | None = None,
    ) -> Changed:
        """A status update: in the channel, to the reporter, and it restarts the update
        clock (`next_in`, when given, is the responder's promise of the next one)."""
        text, impact = text.strip(), (impact or "").strip() or None
        if not text:
            raise FirebellError(
                "Write the update after the command: `/incident update <text>`, or run "
                "`/incident update` alone for the form.",
                field=ModalField.UPDATE_TEXT.value,
            )
        if len(text) > UPDATE_MAX:
            raise FirebellError(
                f"Keep an update to {UPDATE_MAX} characters (this is {len(text)}).",
                field=ModalField.UPDATE_TEXT.value,
            )
        with editing(self.db, issue_id) as (session, issue):
            event = add_event(
                session,
                issue,
                IncidentEvent.STATUS_UPDATE,
                self.clock,
                actor.user_id,
                text=text,
                impact=impact,
                next_in=int(next_in.total_seconds()) if next_in else None,
            )
            self.hooks.on_update(session, issue, self.clock.now(), next_in)
            kinds.announce(session, self.clock, issue, event)
            if actor.user_id != issue.reporter_id:
                kinds.tell_reporter_news(session, self.clock, issue, event)
            return Changed(issue, f"Update posted to {issue.key}.")

    def set_reporter_updates(self, issue_id: int, actor: Actor, on: bool) -> Changed:
        """A reporter's own switch: the first reporter's is on the issue, the others'
        (merged duplicates' reporters) on their participant row."""
        with editing(self.db, issue_id) as (session, issue):
            if not set_listening(session, issue, actor.user_id, on):
                raise FirebellError("Only the reporter can change their own updates.")
            add_event(
                session, issue, IncidentEvent.REPORTER_UPDATES, self.clock, actor.user_id, on=on
            )
            state = "on" if on else "off"
            return Changed(issue, f"Updates about {issue.key} are {state}.")
