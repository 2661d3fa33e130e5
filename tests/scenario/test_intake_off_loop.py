"""Alert intake stores in the database's threads: the loop keeps answering meanwhile, a
full database queue is a 503 that stored nothing, and the storm's hot path agrees with
the database when another process closed a group or an issue."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlmodel import func, select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.detection.alerts import Alert
from storage.db import MAX_WAITING, Database
from storage.models import AlertEvent, AlertGroup, Deploy, Issue, TimelineEvent

TOKEN = "hook-token-0123456789"
ALERTS = 600  # in one webhook
CONFIG = FirebellConfig.model_validate(
    {
        "webhooks": {
            "tokens": {"alertmanager": TOKEN, "generic": TOKEN, "deploy": TOKEN},
            "max_body_kb": 2048,
        },
        # Quiet alerts wait for a second firing: a webhook of them opens no issue.
        "alert_routes": [{"name": "quiet", "labels": {"team": "quiet"}, "threshold": {"count": 2}}],
    }
)


@pytest.fixture
async def hd(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as harness:
        yield harness


def alertmanager(fingerprints: list[str], status: str = "firing", **labels: str) -> Any:
    return {
        "version": "4",
        "status": status,
        "receiver": "firebell",
        "groupLabels": {},
        "commonLabels": {},
        "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093",
        "alerts": [
            {
                "status": status,
                "labels": {"alertname": f"Alert {fp}", "service": "api", **labels},
                "annotations": {"summary": f"Alert {fp}"},
                "startsAt": "2026-01-05T08:58:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "fingerprint": fp,
            }
            for fp in fingerprints
        ],
    }


async def post(
    session: aiohttp.ClientSession, h: Harness, body: Any, source: str = "alertmanager"
) -> tuple[int, dict[str, str], dict[str, Any]]:
    async with session.post(
        f"{h.bot_url}/webhooks/{source}",
        json=body,
        headers={"Authorization": f"Bearer {TOKEN}"},
    ) as resp:
        return resp.status, dict(resp.headers), await resp.json(content_type=None)


def count(db: Database, model: Any) -> int:
    with db.session() as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


class WriteLock:
    """Another writer holding the alert tables, as a long transaction elsewhere would:
    whatever stores alerts waits for it (SQLite: the database's write lock; PostgreSQL:
    a lock on alert_groups)."""

    def __init__(self, db: Database) -> None:
        self.conn = db.engine.connect()
        self.postgres = db.is_postgres

    def __enter__(self) -> WriteLock:
        if self.postgres:
            self.conn.begin()
            self.conn.execute(text("LOCK TABLE alert_groups IN EXCLUSIVE MODE"))
        else:
            self.conn.exec_driver_sql("BEGIN IMMEDIATE")
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.postgres:
            self.conn.rollback()
        else:
            self.conn.exec_driver_sql("ROLLBACK")
        self.conn.close()


async def test_healthz_answers_while_a_big_webhook_is_stored(hd: Harness) -> None:
    """600 alerts: three transactions of the intake's chunks (the issue's 2,000 take a
    third as many again, to the same effect)."""
    db = hd.firebell.runtime.db
    body = alertmanager([f"fp-{n}" for n in range(ALERTS)], team="quiet")
    async with aiohttp.ClientSession() as session:
        with WriteLock(db):
            webhook = asyncio.create_task(post(session, hd, body))
            # Until the batch is in the database's threads, waiting for the lock.
            while db.waiting == 0:  # noqa: ASYNC110 (the pool has no event to wait on)
                await asyncio.sleep(0.01)
            async with session.get(f"{hd.bot_url}/healthz") as resp:
                assert resp.status == 200
            assert not webhook.done()  # healthz was answered first
        status, _, answer = await webhook
    assert status == 202
    assert {a["action"] for a in answer["alerts"]} == {"below_threshold"}
    assert len(answer["alerts"]) == ALERTS
    assert count(db, AlertGroup) == ALERTS and count(db, AlertEvent) == ALERTS


async def test_a_full_database_queue_answers_503_and_stores_nothing(hd: Harness) -> None:
    db = hd.firebell.runtime.db
    release = threading.Event()
    blockers = [asyncio.create_task(db.run(release.wait)) for _ in range(MAX_WAITING)]
    try:
        await asyncio.sleep(0)  # each blocker is handed to the pool on its first step
        assert db.waiting >= MAX_WAITING  # the outbox's own work may be queued as well
        async with aiohttp.ClientSession() as session:
            status, headers, answer = await post(session, hd, alertmanager(["full-1"]))
            assert status == 503 and headers["Retry-After"].isdigit()
            assert headers["Content-Type"].startswith("application/problem+json")
            assert answer["ok"] is False and "busy" in answer["detail"]
            deploy = {"service": "api", "version": "v1"}
            status, headers, answer = await post(session, hd, deploy, "deploy")
            assert status == 503 and headers["Retry-After"].isdigit()
    finally:
        release.set()
        await asyncio.gather(*blockers)
    assert count(db, AlertGroup) == 0 and count(db, AlertEvent) == 0
    assert count(db, Deploy) == 0
    async with aiohttp.ClientSession() as session:  # and once the queue empties, it is taken
        status, _, answer = await post(session, hd, alertmanager(["full-1"]))
        assert status == 202 and answer["alerts"][0]["action"] == "opened"
        status, _, _ = await post(session, hd, {"service": "api", "version": "v1"}, "deploy")
        assert status == 201


def close_elsewhere(database_url: str, sql: str) -> None:
    """Another process's change, through a pool of its own."""
    other = Database(database_url)
    try:
        with other.session() as session:
            session.execute(text(sql))
    finally:
        other.dispose()


async def test_an_issue_closed_by_another_process_gets_a_new_issue(
    hd: Harness, database_url: str
) -> None:
    async with aiohttp.ClientSession() as session:
        opened = (await post(session, hd, alertmanager(["fp-a", "fp-b"])))[2]["alerts"]
        assert [a["action"] for a in opened] == ["opened", "opened"]
        repeat = (await post(session, hd, alertmanager(["fp-a", "fp-b"])))[2]["alerts"]
        assert [(a["action"], a["issue"]) for a in repeat] == [
            ("repeat", "INC-1"),
            ("repeat", "INC-2"),
        ]
        close_elsewhere(database_url, "UPDATE issues SET status = 'closed' WHERE number = 1")
        # Another replica closed fp-b's group (its issue stays open, with no group).
        close_elsewhere(
            database_url,
            "UPDATE alert_groups SET is_open = false WHERE fingerprint = 'alertmanager:fp-b'",
        )
        after = (await post(session, hd, alertmanager(["fp-a", "fp-b", "fp-a"])))[2]["alerts"]
    assert [(a["action"], a["issue"]) for a in after] == [
        ("opened", "INC-3"),
        ("opened", "INC-4"),
        ("repeat", "INC-3"),
    ]
    db = hd.firebell.runtime.db
    with db.session() as session:
        issues = {i.number: i for i in session.exec(select(Issue))}
        open_groups = session.exec(
            select(AlertGroup).where(AlertGroup.is_open == True)  # noqa: E712
        ).all()
    assert {n: i.occurrences for n, i in issues.items()} == {1: 2, 2: 2, 3: 2, 4: 1}
    assert sorted((g.fingerprint, g.occurrences) for g in open_groups) == [
        ("alertmanager:fp-a", 2),
        ("alertmanager:fp-b", 1),
    ]


async def test_one_transaction_mixing_repeats_resolves_and_a_stale_group(
    hd: Harness, clock: FakeClock
) -> None:
    """Repeats (counted in memory), a resolve and a firing after it (the full path) in
    one batch agree with what one-at-a-time storage would have written."""
    intake = hd.firebell.runtime.intake

    def alert(status: str, fp: str = "mix") -> Alert:
        return Alert(source="generic", fingerprint=fp, status=status, title=f"Alert {fp}")

    firing, resolved = alert("firing"), alert("resolved")
    results = intake.store([[firing], [firing, firing], [resolved], [firing, firing]])
    actions = [[(o.action, o.issue) for o in r] for r in results if isinstance(r, list)]
    assert actions == [
        [("opened", "INC-1")],
        [("repeat", "INC-1"), ("repeat", "INC-1")],
        [("resolved", "INC-1")],
        [("repeat", "INC-1"), ("repeat", "INC-1")],
    ]
    clock.advance(hours=25)  # past the default route's 24 h dedup window
    (late,) = intake.store([[firing, firing]])
    assert isinstance(late, list)
    assert [(o.action, o.issue) for o in late] == [("opened", "INC-2"), ("repeat", "INC-2")]
    db = hd.firebell.runtime.db
    with db.session() as session:
        issues = {i.number: i.occurrences for i in session.exec(select(Issue))}
        groups = sorted(
            (g.is_open, g.occurrences, g.status) for g in session.exec(select(AlertGroup))
        )
        repeats = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "alert_repeat")
        ).all()
    assert issues == {1: 5, 2: 2}
    assert groups == [(False, 5, "firing"), (True, 2, "firing")]
    assert len(repeats) == 1  # the firing after the resolve; repeats within a minute are not
    assert count(db, AlertEvent) == 8
