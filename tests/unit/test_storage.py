"""Storage: gap-free keys under concurrency, UTC times, idempotent filing."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.domain import IssueType, Severity
from bot.incidents.drafts import IssueDraft
from bot.incidents.filing import Filing
from bot.incidents.hooks import HookList
from bot.playbooks.loader import load_playbooks
from storage.db import Database
from storage.keys import next_number
from storage.models import Issue, TimelineEvent
from tests.helpers import issues, pending_outbox

DRAFT = IssueDraft(
    title="Search down", type=IssueType.OUTAGE, severity=Severity.MAJOR, reporter_id="U1"
)


def test_concurrent_allocation_has_no_gaps_or_collisions(db: Database) -> None:
    taken: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(15):
            with db.session() as session:
                number = next_number(session, "issue")
            with lock:
                taken.append(number)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(taken) == list(range(1, 61))


def test_a_rolled_back_number_is_given_again(db: Database) -> None:
    with pytest.raises(RuntimeError), db.session() as session:
        assert next_number(session, "issue") == 1
        raise RuntimeError("the insert failed")
    with db.session() as session:
        assert next_number(session, "issue") == 1


def test_filing_stores_issue_timeline_and_outbox_together(db: Database) -> None:
    clock = FakeClock()
    filing = Filing(db, clock, load_playbooks(), HookList(), timedelta(hours=2))
    first = filing.file(DRAFT, "view:V1")
    again = filing.file(DRAFT, "view:V1")
    assert first.created and not again.created and again.issue.id == first.issue.id
    assert [i.key for i in issues(db)] == ["INC-1"]
    kinds = [item.kind for item in pending_outbox(db)]
    assert kinds == [
        "create_channel",
        "invite_reporter",
        "post_card",
        "pin_card",
        "post_checklist",
        "dm_reporter",
    ]
    with db.session() as session:
        events = session.exec(select(TimelineEvent)).all()
    assert [(e.kind, e.actor_id, e.at) for e in events] == [
        ("filed", "U1", clock.now()),
        ("phase_started", "U1", clock.now()),
    ]
    assert first.issue.playbook == "outage"


def bare_issue(created_at: datetime) -> Issue:
    return Issue(
        number=1,
        idempotency_key="k",
        title="t",
        type="bug",
        severity="minor",
        reporter_id="U1",
        created_at=created_at,
    )


def test_times_come_back_as_aware_utc(db: Database) -> None:
    plus_two = timezone(timedelta(hours=2))
    created = datetime(2026, 3, 1, 12, 0, tzinfo=plus_two)
    with db.session() as session:
        session.add(bare_issue(created))
    stored = issues(db)[0]
    assert stored.created_at == created and stored.created_at.tzinfo == UTC


def test_naive_times_are_refused(db: Database) -> None:
    with pytest.raises(Exception, match="naive datetime"), db.session() as session:
        session.add(bare_issue(datetime(2026, 1, 1)))
    assert issues(db) == []
