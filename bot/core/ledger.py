"""The notification ledger: a unique key per decision, so each is acted on once.

Used for SLA warnings and pages, digests and follow-up reminders. The key is
claimed in a savepoint of the caller's transaction: whoever commits it first
(replica, restart) is the only one who acts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage.models import Notification


def record_once(
    session: Session,
    key: str,
    issue_id: int | None,
    kind: str,
    at: datetime,
    target: str | None = None,
) -> bool:
    """True the first time a notification key is seen (in this transaction's savepoint)."""
    try:
        with session.begin_nested():
            session.add(
                Notification(key=key, issue_id=issue_id, kind=kind, target=target, created_at=at)
            )
    except IntegrityError:
        return False
    return True
