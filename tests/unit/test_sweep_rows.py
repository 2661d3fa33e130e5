"""What one sweep stores when issues breach: the escalation it starts pages in the
same tick, once, and every row says so (on SQLite and on PostgreSQL, whose sweep
writes its rows as JSON documents and draws escalation ids from the sequence)."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bench.fixtures import seed
from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.sla.engine import Engine
from storage.db import Database
from storage.models import Escalation, Issue, Notification, OutboxItem, SlaClock, TimelineEvent

CONFIG = FirebellConfig(
    escalation_policies=[
        {"name": "default", "steps": [{"targets": [{"user": "UONCALL"}], "wait": "10m"}]}
    ]
)


def test_a_breach_pages_the_escalation_it_starts_once_and_the_rows_say_so(
    db: Database, clock: FakeClock
) -> None:
    seed(db, clock, 3, due=True)
    now = clock.now()
    result = Engine(db, clock, CONFIG).tick()
    assert (result.breaches, result.escalations_started, result.steps) == (3, 3, 3)
    again = Engine(db, clock, CONFIG).tick()
    assert not again.anything

    with db.session() as session:
        issues = list(session.exec(select(Issue)))
        assert {i.breached_at for i in issues} == {now}
        for clock_row in session.exec(select(SlaClock)):
            assert clock_row.warned_at == clock_row.escalated_at == clock_row.breached_at == now
            assert clock_row.next_check_at is None
        escalations = {e.issue_id: e for e in session.exec(select(Escalation))}
        for issue in issues:
            row = escalations[issue.id]  # type: ignore[index]
            # its one step has paged: the next round starts after the step's wait
            assert (row.step, row.loop, row.stopped_at) == (0, 1, None)
            assert row.next_step_at == now + timedelta(minutes=10)
            events = session.exec(
                select(TimelineEvent)
                .where(TimelineEvent.issue_id == issue.id)
                .order_by(col(TimelineEvent.id))
            ).all()
            assert [e.kind for e in events] == [
                "sla_breached",
                "escalation_started",
                "paged_invited",
                "escalated",
            ]
            items = session.exec(
                select(OutboxItem)
                .where(OutboxItem.issue_id == issue.id)
                .order_by(col(OutboxItem.id))
            ).all()
            assert [i.kind for i in items] == [
                "sla_notice",
                "update_card",
                "invite",
                "page",
                "sla_notice",
            ]
            breached, escalated = events[0], events[3]
            assert [items[0].payload["event_id"], items[4].payload["event_id"]] == [
                breached.id,
                escalated.id,
            ]
            assert breached.payload["escalating"] is True
            assert items[3].payload["escalation_id"] == row.id
            assert items[3].payload["id"] == "UONCALL"
        keys = sorted(n.kind for n in session.exec(select(Notification)))
        assert keys == ["escalation_step"] * 3 + ["sla_breach"] * 3
