"""A phase's steps and where each stands, as the checklist message shows them."""

from __future__ import annotations

from dataclasses import dataclass

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
