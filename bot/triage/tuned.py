"""The duplicate gate's threshold in force: the one tuned on this installation's own
answers (`firebell triage tune --apply`) when stored, else the shipped default.

Read in the database threads (the filing transaction's session), never on the event
loop, and kept a minute per app: the tune runs in another process, so a running
Firebell picks a new value up within a minute without a query per report.
"""

from __future__ import annotations

import time
from datetime import datetime

from sqlmodel import Session

from bot.triage.gate import THRESHOLD
from storage.models import TriageSetting

DUPLICATE_THRESHOLD = "duplicate_threshold"
KEPT_SECONDS = 60.0


def stored_threshold(session: Session) -> float | None:
    row = session.get(TriageSetting, DUPLICATE_THRESHOLD)
    return None if row is None else row.value


def store_threshold(session: Session, value: float, now: datetime) -> None:
    row = session.get(TriageSetting, DUPLICATE_THRESHOLD)
    if row is None:
        session.add(TriageSetting(name=DUPLICATE_THRESHOLD, value=value, updated_at=now))
    else:
        row.value, row.updated_at = value, now
        session.add(row)


class Threshold:
    """The threshold in force, read at most once a minute (one per app)."""

    def __init__(self) -> None:
        self._value = THRESHOLD
        self._read_at: float | None = None

    def get(self, session: Session) -> float:
        now = time.monotonic()
        if self._read_at is None or now - self._read_at >= KEPT_SECONDS:
            stored = stored_threshold(session)
            self._value = THRESHOLD if stored is None else stored
            self._read_at = now
        return self._value
