"""Where an issue's playbook steps stand: the states recorded, and a phase as the
checklist message shows it."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from bot.playbooks.model import Phase, Playbook, Step
from storage.models import Issue, StepState


@dataclass(frozen=True)
class StepView:
    step: Step
    state: StepState | None


@dataclass(frozen=True)
class PhaseView:
    issue: Issue
    playbook: Playbook
    phase: Phase
    steps: list[StepView]

    @property
    def finished(self) -> int:
        return sum(1 for s in self.steps if s.state is not None)


def step_states(session: Session, issue_id: int) -> dict[str, StepState]:
    rows = session.exec(select(StepState).where(StepState.issue_id == issue_id))
    return {row.step_id: row for row in rows}


def unfinished_required(
    session: Session, issue: Issue, playbook: Playbook, phase: str
) -> list[str]:
    """Required steps of a phase that are neither done nor skipped."""
    assert issue.id is not None
    states = step_states(session, issue.id)
    return [s.id for s in playbook.steps(phase) if s.required and s.id not in states]
