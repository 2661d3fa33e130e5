"""The reviews slice's side effects: the review message and file, the review offer,
follow-up DMs, and the channel notice when a review is published."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue, saved_id
from storage.models import Issue, TimelineEvent


class ReviewKind(StrEnum):
    POST_REVIEW = "post_review"
    UPDATE_REVIEW = "update_review"
    UPLOAD_REVIEW = "upload_review"
    OFFER_REVIEW = "offer_review"
    DM_FOLLOWUP = "dm_followup"
    NOTICE = "review_notice"


@dataclass(frozen=True)
class PostReview(Payload):
    kind: ClassVar = ReviewKind.POST_REVIEW


@dataclass(frozen=True)
class UpdateReview(Payload):
    kind: ClassVar = ReviewKind.UPDATE_REVIEW


@dataclass(frozen=True)
class UploadReview(Payload):
    kind: ClassVar = ReviewKind.UPLOAD_REVIEW


@dataclass(frozen=True)
class OfferReview(Payload):
    kind: ClassVar = ReviewKind.OFFER_REVIEW


@dataclass(frozen=True)
class DmFollowup(Payload):
    kind: ClassVar = ReviewKind.DM_FOLLOWUP
    followup_id: int
    reason: str  # assigned | due_soon | overdue


@dataclass(frozen=True)
class Notice(Payload):
    kind: ClassVar = ReviewKind.NOTICE
    event_id: int


def send(session: Session, clock: Clock, issue: Issue, payload: Payload) -> None:
    enqueue(session, clock, payload, issue=issue)


def notice(session: Session, clock: Clock, issue: Issue, event: TimelineEvent) -> None:
    send(session, clock, issue, Notice(saved_id(session, event)))
