"""What a playbook file may say. Unknown keys are errors, so typos never pass silently."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, model_validator

from bot.core.domain import IssueType, SeverityName

MAX_STEPS = 20


class Phase(StrEnum):
    DETECTION = "detection"
    RESPONSE = "response"
    RESOLUTION = "resolution"
    ANALYSIS = "analysis"


PHASE_ORDER = [Phase.DETECTION, Phase.RESPONSE, Phase.RESOLUTION, Phase.ANALYSIS]


class Role(StrEnum):
    COMMANDER = "commander"
    ASSIGNEE = "assignee"
    COMMS = "comms"
    SCRIBE = "scribe"


class Step(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")
    text: str = Field(min_length=1, max_length=200)
    required: bool = False
    owner: Role | None = None
    link: HttpUrl | None = None
    # A question whose answer is stored with the step (e.g. customer impact).
    question: str | None = Field(default=None, min_length=1, max_length=150)


class AppliesTo(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    types: list[IssueType] = Field(default_factory=list)  # empty: any type
    severities: list[SeverityName] = Field(default_factory=list)  # empty: any severity


class Playbook(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{0,59}$")
    description: str = Field(default="", max_length=300)
    applies_to: AppliesTo = Field(default_factory=AppliesTo)
    private: bool = False  # issues under this playbook get private channels
    # Drills and tests: their issues are left out of every figure and metric.
    exclude_from_metrics: bool = False
    # At most 20 steps a phase: a checklist message takes two blocks a step, and
    # Slack allows 50 blocks in a message.
    phases: dict[Phase, Annotated[list[Step], Field(max_length=MAX_STEPS)]] = Field(
        default_factory=dict
    )

    @model_validator(mode="after")
    def _unique_step_ids(self) -> Playbook:
        seen: set[str] = set()
        for phase, steps in self.phases.items():
            for step in steps:
                if step.id in seen:
                    raise ValueError(f"step id '{step.id}' is used twice (again in {phase.value})")
                seen.add(step.id)
        return self

    def steps(self, phase: Phase | str) -> list[Step]:
        return self.phases.get(Phase(phase), [])

    def step(self, step_id: str) -> tuple[Phase, Step] | None:
        for phase, steps in self.phases.items():
            for step in steps:
                if step.id == step_id:
                    return phase, step
        return None

    def specificity(self, issue_type: str, severity: str) -> int | None:
        """How closely this playbook fits an issue; None if it does not apply."""
        rule = self.applies_to
        if rule.types and issue_type not in rule.types:
            return None
        if rule.severities and severity not in rule.severities:
            return None
        return (2 if rule.types else 0) + (1 if rule.severities else 0)
