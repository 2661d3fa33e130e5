"""How an issue closes outside the Fixed -> Closed step, and the summary a close tells.

A merge closes the duplicate, and the weekly review's Close an issue nobody needs,
from any status. Both go through the lifecycle's one move (lifecycle.py), so the
hooks every close runs (SLA clocks, feed, rollup) run for them too; a `Closing`
says only what differs: the timeline event, its words and what the reporter hears.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.timeline import EventKind
from bot.incidents import kinds
from bot.incidents.event_kinds import IncidentEvent
from storage.models import Issue, StepState, TimelineEvent

Tell = Callable[[Session, Clock, Issue, TimelineEvent], None]


@dataclass(frozen=True)
class Closing:
    """Why an issue closes from any status, and how that is recorded and told."""

    kind: EventKind  # the timeline event that records the close (before/after added)
    reason: str  # why running escalations stopped
    summary: str | None = None  # the resolution the reporter is told
    tell_reporter: bool = True  # False: the caller tells the reporters in its own words
    announce: Tell = kinds.announce  # how the issue channel hears of it
    details: dict[str, Any] = field(default_factory=dict)  # more for the event's payload


def latest_summary(session: Session, issue: Issue) -> str | None:
    """The resolution summary for a close without one: the root cause, else the last update."""
    answer = session.exec(
        select(StepState).where(StepState.issue_id == issue.id, StepState.step_id == "root-cause")
    ).first()
    if answer is not None and answer.answer:
        return answer.answer
    update = session.exec(
        select(TimelineEvent)
        .where(
            TimelineEvent.issue_id == issue.id,
            TimelineEvent.kind == IncidentEvent.STATUS_UPDATE.value,
        )
        .order_by(col(TimelineEvent.id).desc())
    ).first()
    return str(update.payload.get("text")) if update is not None else None
