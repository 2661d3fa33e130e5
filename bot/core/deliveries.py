"""Webhooks that say which delivery they are (GitHub's `X-GitHub-Delivery`, PagerDuty's
event id) are acted on once: the id is kept in processed_events, beside Slack's event
ids, under its tool's prefix ("github:…"), so the names of two tools never meet."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import Clock
from storage.db import Database
from storage.models import ProcessedEvent

MAX_ID = 64  # the column's size


def delivery_key(tool: str, delivery_id: str) -> str | None:
    """`tool:id`, or None for an id that cannot be kept (absent or too long)."""
    key = f"{tool}:{delivery_id.strip()}"
    return (
        key
        if delivery_id.strip() and len(key) <= MAX_ID and key.isascii() and key.isprintable()
        else None
    )


def seen(session: Session, key: str) -> bool:
    found = session.exec(select(ProcessedEvent.event_id).where(ProcessedEvent.event_id == key))
    return found.first() is not None


def note_seen(session: Session, clock: Clock, key: str) -> None:
    """Within the transaction that acted on the delivery: both are stored, or neither."""
    session.add(ProcessedEvent(event_id=key, received_at=clock.now()))


def remember(db: Database, clock: Clock, key: str) -> None:
    """After an action that is harmless to repeat: a concurrent twin that got here
    first has already remembered it."""
    try:
        with db.session() as session:
            note_seen(session, clock, key)
    except IntegrityError:
        pass


def was_seen(db: Database, key: str) -> bool:
    with db.session() as session:
        return seen(session, key)
