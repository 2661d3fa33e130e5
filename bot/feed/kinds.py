"""The feed's side effects, on the issue's own stream, so the post comes after the
issue channel exists (the link works) and every edit after the post."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue
from storage.models import Issue


class FeedKind(StrEnum):
    POST = "feed_post"
    EDIT = "feed_edit"


@dataclass(frozen=True)
class PostToFeed(Payload):
    kind: ClassVar = FeedKind.POST
    channel: str


@dataclass(frozen=True)
class EditInFeed(Payload):
    kind: ClassVar = FeedKind.EDIT


def post(session: Session, clock: Clock, issue: Issue, channel: str) -> None:
    enqueue(session, clock, PostToFeed(channel), issue=issue)


def edit(session: Session, clock: Clock, issue: Issue) -> None:
    enqueue(session, clock, EditInFeed(), issue=issue)
