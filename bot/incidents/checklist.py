"""Playbook steps: done, skipped with a reason, answered; and what a phase still needs."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.domain import Status
from bot.core.errors import FirebellError
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.queries import step_states, unfinished_required
from bot.incidents.rules import NEXT_STATUS
from bot.incidents.steps import PhaseView, StepView
from bot.playbooks.loader import Playbooks
from bot.playbooks.model import Phase, Playbook, Step
from storage.db import Database
from storage.models import Issue, StepState, TimelineEvent

ANSWER_MAX = 3000
REASON_MAX = 500


class Checklist:
    def __init__(self, db: Database, clock: Clock, playbooks: Playbooks) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks

    def phase_view(self, issue_id: int, phase: str) -> PhaseView:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            book = self.playbooks.get(issue.playbook)
            states = step_states(session, issue_id)
            steps = [StepView(step, states.get(step.id)) for step in book.steps(phase)]
            return PhaseView(issue, book, Phase(phase), steps)

    def find_step(self, issue_id: int, step_id: str) -> Step:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            found = self.playbooks.get(issue.playbook).step(step_id)
        if found is None:
            raise FirebellError(f"{issue.key}'s playbook has no step `{escape(step_id)}`.")
        return found[1]

    def complete(self, issue_id: int, actor: Actor, step_id: str, answer: str | None = None) -> str:
        step = self.find_step(issue_id, step_id)
        answer = (answer or "").strip() or None
        if step.question and not answer:
            raise FirebellError(f"This step asks: {step.question}", field="answer")
        if answer and len(answer) > ANSWER_MAX:
            raise FirebellError(f"Keep the answer to {ANSWER_MAX} characters.", field="answer")
        return self._record(issue_id, actor, step, "done", answer=answer)

    def skip(self, issue_id: int, actor: Actor, step_id: str, reason: str) -> str:
        step = self.find_step(issue_id, step_id)
        reason = reason.strip()
        if not reason:
            raise FirebellError("Say why the step is skipped.", field="reason")
        if len(reason) > REASON_MAX:
            raise FirebellError(f"Keep the reason to {REASON_MAX} characters.", field="reason")
        return self._record(issue_id, actor, step, "skipped", reason=reason)

    def _record(
        self,
        issue_id: int,
        actor: Actor,
        step: Step,
        state: str,
        answer: str | None = None,
        reason: str | None = None,
    ) -> str:
        try:
            with self.db.session() as session:
                issue = session.get(Issue, issue_id)
                assert issue is not None
                book = self.playbooks.get(issue.playbook)
                found = book.step(step.id)
                assert found is not None
                phase = found[0]
                session.add(
                    StepState(
                        issue_id=issue_id,
                        phase=phase.value,
                        step_id=step.id,
                        state=state,
                        actor_id=actor.user_id,
                        at=self.clock.now(),
                        answer=answer,
                        skip_reason=reason,
                    )
                )
                add_event(
                    session,
                    issue,
                    IncidentEvent(f"step_{state}"),
                    self.clock,
                    actor.user_id,
                    step=step.id,
                    text=step.text,
                    question=step.question,
                    answer=answer,
                    reason=reason,
                )
                kinds.refresh_checklist(session, self.clock, issue, phase.value)
                session.flush()
                propose_next_if_ready(session, self.clock, issue, book)
        except IntegrityError:
            return "That step was already ticked off."
        return f"“{escape(step.text)}” is {state}."


def propose_next_if_ready(session: Session, clock: Clock, issue: Issue, book: Playbook) -> None:
    """Once the current phase's required steps are finished, offer the next status (once)."""
    status = Status(issue.status)
    target = NEXT_STATUS.get(status)
    if target is None or unfinished_required(session, issue, book, issue.phase):
        return
    started = session.exec(
        select(TimelineEvent.id)
        .where(
            TimelineEvent.issue_id == issue.id,
            TimelineEvent.kind == IncidentEvent.PHASE_STARTED.value,
        )
        .order_by(col(TimelineEvent.id).desc())
    ).first()
    key = f"proposed:{status.value}:{started or 0}"
    try:
        with session.begin_nested():
            add_event(
                session,
                issue,
                IncidentEvent.NEXT_STATUS_PROPOSED,
                clock,
                None,
                dedup_key=key,
                target=target.value,
            )
    except IntegrityError:
        return  # already offered since this phase started
    kinds.send(session, clock, issue, kinds.ProposeStatus(target.value, issue.phase))
