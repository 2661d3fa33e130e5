"""The detection slice's side effect: telling an issue channel what an alert or a
release did to the issue."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue, saved_id
from storage.models import Issue, TimelineEvent


class DetectionKind(StrEnum):
    NOTICE = "detection_notice"


@dataclass(frozen=True)
class Notice(Payload):
    kind: ClassVar = DetectionKind.NOTICE
    event_id: int


def notice(session: Session, clock: Clock, issue: Issue, event: TimelineEvent) -> None:
    enqueue(session, clock, Notice(saved_id(session, event)), issue=issue)
