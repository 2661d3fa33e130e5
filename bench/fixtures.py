"""Open issues with SLA clocks, inserted in bulk (the sweep benchmark and the engine tests)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, insert
from sqlmodel import select

from bot.core.clock import FakeClock
from storage.db import Database
from storage.models import Issue, SlaClock

CHUNK = 5_000


def seed(db: Database, clock: FakeClock, count: int, due: bool) -> None:
    """`count` open critical issues; `due` ones breached an hour ago, the rest far from it."""
    filed = clock.now() - (timedelta(hours=1) if due else timedelta(0))
    with db.session() as session:
        start = (session.exec(select(func.max(Issue.number))).one() or 0) + 1
    for first in range(start, start + count, CHUNK):
        numbers = range(first, min(first + CHUNK, start + count))
        with db.session() as session:
            session.execute(
                insert(Issue),
                [
                    {
                        "number": n,
                        "idempotency_key": f"bench-{n}",
                        "title": f"Issue {n}",
                        "type": "outage",
                        "severity": "critical",
                        "private": False,
                        "reporter_id": "UREP",
                        "status": "new",
                        "phase": "detection",
                        "created_at": filed,
                        "reporter_updates": True,
                        "occurrences": 1,
                    }
                    for n in numbers
                ],
            )
            ids = session.exec(
                select(Issue.id).where(Issue.number >= numbers[0], Issue.number <= numbers[-1])
            ).all()
            session.execute(
                insert(SlaClock),
                [
                    {
                        "issue_id": i,
                        "kind": "acknowledge",
                        "started_at": filed,
                        "warn_at": filed + timedelta(minutes=11),
                        "escalate_at": filed + timedelta(minutes=13),
                        "due_at": filed + timedelta(minutes=15),
                        "next_check_at": filed + timedelta(minutes=11),
                    }
                    for i in ids
                ],
            )
