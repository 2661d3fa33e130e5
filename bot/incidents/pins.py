"""A message pinned with a 📌 reaction joins the issue's timeline, once, at its own time."""

from __future__ import annotations

from datetime import UTC, datetime

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlalchemy.exc import IntegrityError

from bot.core.clock import Clock
from bot.core.timeline import add_event
from bot.incidents.event_kinds import IncidentEvent
from storage.db import Database
from storage.models import Issue

PIN_TEXT_MAX = 2000


def slack_ts_to_datetime(ts: str) -> datetime:
    return datetime.fromtimestamp(float(ts), tz=UTC)


def add_pinned_message(
    db: Database,
    clock: Clock,
    issue: Issue,
    *,
    message_ts: str,
    author_id: str | None,
    pinned_by: str,
    text: str,
) -> bool:
    """True if recorded; False if this message was already on the timeline."""
    try:
        with db.session() as session:
            add_event(
                session,
                issue,
                IncidentEvent.PINNED_MESSAGE,
                clock,
                pinned_by,  # who pinned it did something; the author is in the payload
                dedup_key=f"pin:{message_ts}",
                at=slack_ts_to_datetime(message_ts),
                text=text[:PIN_TEXT_MAX],
                ts=message_ts,
                author=author_id,
            )
    except IntegrityError:
        return False
    return True


async def pin_from_reaction(
    db: Database, clock: Clock, client: AsyncWebClient, issue: Issue, ts: str, pinned_by: str
) -> bool:
    """Read the reacted-to message from the issue channel and put it on the timeline."""
    try:
        found = await client.conversations_history(
            channel=issue.channel_id or "", latest=ts, inclusive=True, limit=1
        )
    except SlackApiError:
        return False  # the message is gone or unreadable; nothing to record
    messages = [m for m in found.get("messages") or [] if m.get("ts") == ts]
    if not messages:
        return False
    return await db.run(
        add_pinned_message,
        db,
        clock,
        issue,
        message_ts=ts,
        author_id=messages[0].get("user"),
        pinned_by=pinned_by,
        text=messages[0].get("text", ""),
    )
