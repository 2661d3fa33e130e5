"""Two engines on one PostgreSQL database: 300 issues due, every ping exactly once."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from sqlmodel import select

from bench.fixtures import seed
from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.sla.engine import Engine
from storage.db import Database
from storage.models import Notification, OutboxItem
from tests.conftest import PG_URL

ISSUES = 300  # 1,000 cost 40 s of the suite; bench/escalation_sweep.py measures at scale


CONFIG = FirebellConfig(
    escalation_policies=[
        {"name": "default", "steps": [{"targets": [{"user": "UONCALL"}], "wait": "10m"}]}
    ]
)


@pytest.mark.skipif(not PG_URL, reason="concurrent engines are a PostgreSQL deployment")
def test_two_engines_send_every_ping_exactly_once(database_url: str, db: Database) -> None:
    clock = FakeClock()
    seed(db, clock, ISSUES, due=True)
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


@pytest.mark.skipif(not PG_URL, reason="concurrent replicas are a PostgreSQL deployment")
def test_two_replicas_open_one_issue_per_fingerprint(database_url: str, db: Database) -> None:
    """Two intakes (separate pools, as two `firebell serve` would have) race on new
    fingerprints; the partial unique index keeps one open group and one issue each."""
    from bot.detection.alerts import Alert
    from bot.detection.intake import Intake
    from bot.incidents.filing import Filing
    from bot.incidents.hooks import HookList
    from bot.incidents.lifecycle import Lifecycle
    from bot.playbooks.loader import load_playbooks
    from bot.sla.clocks import SlaClocks
    from storage.models import AlertGroup, Issue

    clock = FakeClock()
    books = load_playbooks()

    def intake() -> Intake:
        replica_db = Database(database_url)
        hooks = HookList([SlaClocks(CONFIG.sla)])
        filing = Filing(replica_db, clock, books, hooks, CONFIG.deploy_window)
        lifecycle = Lifecycle(replica_db, clock, books, hooks)
        return Intake(replica_db, clock, CONFIG, filing, lifecycle, hooks)

    replicas = [intake(), intake()]
    alerts = [
        Alert(
            source="generic",
            fingerprint=f"generic:fp-{n % 10}",
            status="firing",
            title=f"Alert {n % 10}",
        )
        for n in range(200)
    ]
    errors: list[BaseException] = []

    def run(replica: Intake, share: list[Alert]) -> None:
        try:
            for alert in share:
                replica.ingest([alert])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(r, alerts[i::2])) for i, r in enumerate(replicas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with db.session() as session:
        groups = session.exec(select(AlertGroup)).all()
        issues = session.exec(select(Issue)).all()
    assert len(groups) == 10 and len(issues) == 10
    assert sum(g.occurrences for g in groups) == 200
    for replica in replicas:
        replica.db.dispose()


def test_a_tick_past_one_batch_pages_each_once_and_a_second_engine_finds_nothing(
    db: Database,
) -> None:
    """More due than one batch claims: every issue breached and paged once; an engine
    ticking after it (another replica) claims nothing and sends nothing again."""
    clock = FakeClock()
    due = 450  # three batches of the engine's 200
    seed(db, clock, due, due=True)
    first = Engine(db, clock, CONFIG).tick()
    second = Engine(db, clock, CONFIG).tick()
    assert (first.breaches, first.steps, first.escalations_started) == (due, due, due)
    assert not second.anything
    with db.session() as session:
        pages = Counter(
            i.issue_id for i in session.exec(select(OutboxItem).where(OutboxItem.kind == "page"))
        )
        notices = Counter(
            i.issue_id
            for i in session.exec(select(OutboxItem).where(OutboxItem.kind == "sla_notice"))
        )
        kinds = Counter(n.kind for n in session.exec(select(Notification)))
    assert len(pages) == due and set(pages.values()) == {1}
    assert set(notices.values()) == {2}  # the breach, then the step that paged
    assert kinds == {"sla_breach": due, "escalation_step": due}
