"""Files that come with a report: screenshots, logs, HAR files.

Stored with the issue in the filing's own transaction (or a later one, for files added
to an existing issue) and posted into the issue's channel by the outbox
(`PostAttachment`), so a file is never lost and never posted twice. Files from the web
carry their bytes; files already in Slack carry only Slack's file id."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.event_kinds import IncidentEvent
from storage.models import Attachment, Issue, TimelineEvent


@dataclass(frozen=True)
class AttachmentIn:
    """One file as a source received it, checked for type and size by that source."""

    name: str
    content_type: str
    size: int
    origin: str  # web | embed | slack
    data: bytes | None = None  # the bytes of a file uploaded to Firebell
    slack_file_id: str | None = None  # or the id of a file that is already in Slack
    # Why it was not taken (a message's file of another type, or too big): not stored,
    # written on the timeline and told to the reporter. None for a file that is kept.
    refused: str | None = None


def add_attachments(
    session: Session,
    clock: Clock,
    issue: Issue,
    files: tuple[AttachmentIn, ...] | list[AttachmentIn],
    actor: str | None,
) -> list[Attachment]:
    """Keep each file with the issue, write it on the timeline, and post it to the channel;
    a refused file is only written on the timeline, with the reason."""
    rows = []
    for file in files:
        if file.refused is not None:
            add_event(
                session,
                issue,
                IncidentEvent.NOT_ATTACHED,
                clock,
                actor,
                name=file.name,
                reason=file.refused,
            )
            continue
        row = Attachment(
            issue_id=issue.id or 0,
            name=file.name,
            content_type=file.content_type,
            size=file.size,
            data=file.data,
            slack_file_id=file.slack_file_id,
            origin=file.origin,
            added_by=actor,
            added_at=clock.now(),
        )
        session.add(row)
        session.flush()  # the row's id, for the delivery
        assert row.id is not None
        add_event(
            session,
            issue,
            IncidentEvent.ATTACHED,
            clock,
            actor,
            name=file.name,
            content_type=file.content_type,
            size=file.size,
        )
        kinds.send(session, clock, issue, kinds.PostAttachment(row.id))
        rows.append(row)
    return rows


def refused_at_filing(session: Session, issue: Issue) -> tuple[tuple[str, str], ...]:
    """The files the reporter sent that were not taken, with why: (name, reason)."""
    events = session.exec(
        select(TimelineEvent)
        .where(
            TimelineEvent.issue_id == issue.id,
            TimelineEvent.kind == IncidentEvent.NOT_ATTACHED.value,
            TimelineEvent.actor_id == issue.reporter_id,
        )
        .order_by(col(TimelineEvent.id))
    )
    return tuple((str(e.payload.get("name")), str(e.payload.get("reason"))) for e in events)
