"""Slack delivers events at least once; this makes acting on them at most once."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError

from bot.core.clock import Clock
from storage.db import Database
from storage.models import ProcessedEvent


def first_delivery(db: Database, clock: Clock, event_id: str) -> bool:
    """True the first time an event id is seen; False for Slack's retries of it."""
    try:
        with db.session() as session:
            session.add(ProcessedEvent(event_id=event_id, received_at=clock.now()))
    except IntegrityError:
        return False
    return True
