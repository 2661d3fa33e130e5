"""The incidents slice's side effects: its outbox kinds, their payloads, and the
helpers that add them to a change's own transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue, saved_id
from bot.core.membership import Known, record_joined
from storage.models import Issue, OutboxItem, TimelineEvent


class IncidentKind(StrEnum):
    # A new issue's provisioning, in the order it must happen.
    CREATE_CHANNEL = "create_channel"
    INVITE_REPORTER = "invite_reporter"
    POST_CARD = "post_card"
    PIN_CARD = "pin_card"
    POST_CHECKLIST = "post_checklist"
    DM_REPORTER = "dm_reporter"
    REPLY_IN_SOURCE = "reply_in_source"
    # An issue's life.
    UPDATE_CARD = "update_card"
    ANNOUNCE = "announce_event"
    INVITE = "invite"
    PROPOSE_STATUS = "propose_next_status"
    DM_REPORTER_UPDATE = "dm_reporter_update"
    DM_REPORTER_NEWS = "dm_reporter_news"
    UPDATE_CHECKLIST = "update_checklist"
    POST_ATTACHMENT = "post_attachment"
    # Items written before the slices, with their text rendered when enqueued; an
    # upgrade delivers those still pending as they are. Remove after a release.
    OLD_ANNOUNCE = "announce"
    OLD_PROPOSE_STATUS = "propose_status"


@dataclass(frozen=True)
class CreateChannel(Payload):
    kind: ClassVar = IncidentKind.CREATE_CHANNEL


@dataclass(frozen=True)
class InviteReporter(Payload):
    kind: ClassVar = IncidentKind.INVITE_REPORTER


@dataclass(frozen=True)
class PostCard(Payload):
    kind: ClassVar = IncidentKind.POST_CARD


@dataclass(frozen=True)
class PinCard(Payload):
    kind: ClassVar = IncidentKind.PIN_CARD


@dataclass(frozen=True)
class PostChecklist(Payload):
    kind: ClassVar = IncidentKind.POST_CHECKLIST
    phase: str


@dataclass(frozen=True)
class DmReporter(Payload):
    kind: ClassVar = IncidentKind.DM_REPORTER


@dataclass(frozen=True)
class ReplyInSource(Payload):
    kind: ClassVar = IncidentKind.REPLY_IN_SOURCE


@dataclass(frozen=True)
class UpdateCard(Payload):
    kind: ClassVar = IncidentKind.UPDATE_CARD


@dataclass(frozen=True)
class Announce(Payload):
    """A timeline event told in the issue channel, in words chosen at delivery."""

    kind: ClassVar = IncidentKind.ANNOUNCE
    event_id: int


@dataclass(frozen=True)
class Invite(Payload):
    kind: ClassVar = IncidentKind.INVITE
    user_id: str


@dataclass(frozen=True)
class ProposeStatus(Payload):
    kind: ClassVar = IncidentKind.PROPOSE_STATUS
    target: str
    phase: str  # the phase whose required steps are finished


@dataclass(frozen=True)
class OldAnnounce(Payload):
    kind: ClassVar = IncidentKind.OLD_ANNOUNCE
    text: str


@dataclass(frozen=True)
class OldProposeStatus(Payload):
    kind: ClassVar = IncidentKind.OLD_PROPOSE_STATUS
    target: str
    text: str


@dataclass(frozen=True)
class DmReporterUpdate(Payload):
    kind: ClassVar = IncidentKind.DM_REPORTER_UPDATE
    before: str
    after: str
    summary: str | None = None


@dataclass(frozen=True)
class DmReporterNews(Payload):
    """A status update told to the reporter, in words rendered from its event."""

    kind: ClassVar = IncidentKind.DM_REPORTER_NEWS
    event_id: int


@dataclass(frozen=True)
class UpdateChecklist(Payload):
    kind: ClassVar = IncidentKind.UPDATE_CHECKLIST
    phase: str


@dataclass(frozen=True)
class PostAttachment(Payload):
    """Post one stored attachment into the issue's channel (incidents/attachments.py)."""

    kind: ClassVar = IncidentKind.POST_ATTACHMENT
    attachment_id: int


def send(session: Session, clock: Clock, issue: Issue, payload: Payload) -> None:
    """One side effect on the issue's stream, delivered after this transaction commits."""
    enqueue(session, clock, payload, issue=issue)


def announce(session: Session, clock: Clock, issue: Issue, event: TimelineEvent) -> None:
    """Tell the issue channel about an event that everyone there should see."""
    send(session, clock, issue, Announce(saved_id(session, event)))


def refresh_card(session: Session, clock: Clock, issue: Issue) -> None:
    send(session, clock, issue, UpdateCard())


def tell_reporter(
    session: Session, clock: Clock, issue: Issue, before: str, after: str, summary: str | None
) -> None:
    """A DM to the reporter (skipped at delivery if they turned updates off)."""
    send(session, clock, issue, DmReporterUpdate(before, after, summary))


def tell_reporter_news(session: Session, clock: Clock, issue: Issue, event: TimelineEvent) -> None:
    """The reporter hears each status update by DM (unless they turned updates off)."""
    send(session, clock, issue, DmReporterNews(saved_id(session, event)))


def post_checklist(session: Session, clock: Clock, issue: Issue, phase: str) -> None:
    send(session, clock, issue, PostChecklist(phase))


def refresh_checklist(session: Session, clock: Clock, issue: Issue, phase: str) -> None:
    send(session, clock, issue, UpdateChecklist(phase))


def invite(
    session: Session, clock: Clock, issue: Issue, user_id: str, known: Known | None = None
) -> None:
    """Let someone into the issue's channel; they are a member from now, as Slack's
    member_joined_channel would record anyway (the rule answers from the database).
    `known`: the issue's participant rows, when a batch read them (membership.py)."""
    record_joined(session, issue, user_id, clock.now(), known)
    send(session, clock, issue, Invite(user_id))


def refresh_card_later(session: Session, clock: Clock, issue: Issue, gap: timedelta) -> None:
    """Edit the card once `gap` from now, unless an edit is already waiting: in an alert
    storm the card changes at most every few seconds, far below Slack's rate limits."""
    waiting = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.issue_id == issue.id,
            OutboxItem.kind == IncidentKind.UPDATE_CARD.value,
            OutboxItem.status == "pending",
        )
    ).first()
    if waiting is not None:
        return
    # A stream of its own: a card edit waiting out its gap must not hold back the
    # issue's other messages.
    enqueue(
        session, clock, UpdateCard(), issue=issue, stream=f"card:{issue.id}", due=clock.now() + gap
    )
