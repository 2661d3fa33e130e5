"""Two engines on one PostgreSQL database: 1,000 issues due, every ping exactly once."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import insert
from sqlmodel import select

from bot.clock import FakeClock
from bot.config import FirebellConfig
from bot.services.sla_engine import Engine
from storage.db import Database
from storage.models import Issue, Notification, OutboxItem, SlaClock
from tests.conftest import PG_URL

ISSUES = 1000


def seed_due_issues(db: Database, clock: FakeClock, count: int) -> None:
    """Issues whose acknowledge deadline passed an hour ago (bulk, for speed)."""
    filed = clock.now() - timedelta(hours=1)
    with db.session() as session:
        session.execute(
            insert(Issue),
            [
                {
                    "number": n,
                    "idempotency_key": f"k{n}",
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
                for n in range(1, count + 1)
            ],
        )
        ids = session.exec(select(Issue.id)).all()
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


CONFIG = FirebellConfig(
    escalation_policies=[
        {"name": "default", "steps": [{"targets": [{"user": "UONCALL"}], "wait": "10m"}]}
    ]
)


@pytest.mark.skipif(not PG_URL, reason="concurrent engines are a PostgreSQL deployment")
def test_two_engines_send_every_ping_exactly_once(database_url: str, db: Database) -> None:
    clock = FakeClock()
    seed_due_issues(db, clock, ISSUES)
    engines = [Engine(Database(database_url), clock, CONFIG) for _ in range(2)]
    results = []
    errors: list[BaseException] = []

    def run(engine: Engine) -> None:
        try:
            results.append(engine.tick())
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(e,)) for e in engines]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(r.breaches for r in results) == ISSUES
    assert sum(r.steps for r in results) == ISSUES
    assert all(r.breaches > 0 for r in results), "both engines should have claimed work"
    with db.session() as session:
        pages = Counter(
            i.issue_id for i in session.exec(select(OutboxItem).where(OutboxItem.kind == "page"))
        )
        kinds = Counter(n.kind for n in session.exec(select(Notification)))
    assert len(pages) == ISSUES and set(pages.values()) == {1}
    assert kinds == {"sla_breach": ISSUES, "escalation_step": ISSUES}
    for engine in engines:
        engine.db.dispose()
