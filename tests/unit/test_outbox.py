"""The outbox delivers in order per stream, retries with backoff, and never doubles."""

from __future__ import annotations

import asyncio

from sqlmodel import select

from bot.core import outbox
from bot.core.clock import FakeClock
from bot.core.outbox import DeliveryError, Outbox
from storage.db import Database
from storage.models import OutboxItem
from tests.processes import until


def put(db: Database, clock: FakeClock, stream: str, *kinds: str) -> None:
    with db.session() as session:
        for kind in kinds:
            outbox.enqueue(session, clock, stream=stream, kind=kind)


def rows(db: Database) -> list[OutboxItem]:
    with db.session() as session:
        return list(session.exec(select(OutboxItem).order_by(OutboxItem.id)))  # type: ignore[arg-type]


async def test_streams_deliver_in_order_and_a_failure_holds_its_stream(db: Database) -> None:
    clock = FakeClock()
    put(db, clock, "a", "a1", "a2", "a3")
    put(db, clock, "b", "b1", "b2")
    delivered: list[str] = []
    failing = {"a2"}

    async def deliver(item: OutboxItem) -> None:
        if item.kind in failing:
            raise DeliveryError("Slack answered internal_error")
        delivered.append(item.kind)

    box = Outbox(db, clock, deliver)
    assert await box.deliver_due() == 3
    assert delivered == ["a1", "b1", "b2"]  # a3 waits behind the failed a2
    failed = next(r for r in rows(db) if r.kind == "a2")
    assert (
        failed.attempts == 1 and failed.last_error == "DeliveryError: Slack answered internal_error"
    )
    assert failed.next_attempt_at == clock.now() + outbox.backoff(1)

    failing.clear()
    assert await box.deliver_due() == 0  # not due yet
    clock.advance(seconds=2)
    assert await box.deliver_due() == 2
    assert delivered == ["a1", "b1", "b2", "a2", "a3"]
    assert {r.status for r in rows(db)} == {"done"}


async def test_permanent_errors_give_up_after_a_few_attempts(db: Database) -> None:
    clock = FakeClock()
    put(db, clock, "s", "broken", "next")

    async def deliver(item: OutboxItem) -> None:
        if item.kind == "broken":
            raise DeliveryError("Slack answered invalid_blocks", permanent=True)

    box = Outbox(db, clock, deliver)
    for _ in range(outbox.MAX_PERMANENT_ATTEMPTS):
        await box.deliver_due()
        clock.advance(seconds=outbox.MAX_BACKOFF_SECONDS)
    await box.deliver_due()  # the stream moves on past the dead item
    statuses = {r.kind: (r.status, r.attempts) for r in rows(db)}
    assert statuses["broken"] == ("dead", outbox.MAX_PERMANENT_ATTEMPTS)
    assert statuses["next"][0] == "done"


def test_backoff_doubles_and_is_capped() -> None:
    assert [outbox.backoff(n).total_seconds() for n in (1, 2, 3, 8, 20)] == [2, 4, 8, 256, 300]


async def test_two_sweepers_never_deliver_an_item_twice(db: Database) -> None:
    clock = FakeClock()
    for n in range(40):
        put(db, clock, f"issue:{n}", "create", "post")
    delivered: list[tuple[str, str]] = []

    async def deliver(item: OutboxItem) -> None:
        await asyncio.sleep(0)  # let the other sweeper run in between
        delivered.append((item.stream, item.kind))

    first, second = Outbox(db, clock, deliver), Outbox(db, clock, deliver)
    await asyncio.gather(first.deliver_due(), second.deliver_due(), first.deliver_due())
    assert len(delivered) == 80 and len(set(delivered)) == 80


async def test_a_crashed_sweepers_lease_expires_and_the_item_is_delivered(db: Database) -> None:
    clock = FakeClock()
    put(db, clock, "s", "only")
    delivered: list[str] = []

    async def deliver(item: OutboxItem) -> None:
        delivered.append(item.kind)

    crashed = Outbox(db, clock, deliver, lease_seconds=60)
    assert [i.kind for i in crashed.claim_due()] == ["only"]  # then it dies before delivering
    survivor = Outbox(db, clock, deliver)
    assert await survivor.deliver_due() == 0  # leased: not touched
    clock.advance(seconds=61)
    assert await survivor.deliver_due() == 1 and delivered == ["only"]


async def test_a_commit_that_enqueues_wakes_the_worker(db: Database) -> None:
    """Nobody kicks the worker by hand: the commit that enqueued an item does."""
    from bot.core.outbox import OutboxWorker

    clock = FakeClock()
    arrived = asyncio.Event()
    delivered: list[str] = []

    async def deliver(item: OutboxItem) -> None:
        delivered.append(item.kind)
        arrived.set()

    worker = OutboxWorker(Outbox(db, clock, deliver), poll_seconds=3600)  # no poll will come
    worker.start()
    try:
        await asyncio.sleep(0)  # the worker's first sweep finds nothing
        put(db, clock, "s", "wake")
        await asyncio.wait_for(arrived.wait(), timeout=5)
    finally:
        await worker.stop()
    assert delivered == ["wake"]
    assert db.after_commit == []  # the worker stopped listening


async def test_leases_are_renewed_only_for_items_still_being_delivered(db: Database) -> None:
    """A process renews what it still delivers (another replica must not take it) and
    stops renewing an item the moment it is finished (it may be retried at once)."""
    clock = FakeClock()
    put(db, clock, "slow", "slow")
    put(db, clock, "fast", "fails")
    release = asyncio.Event()

    async def deliver(item: OutboxItem) -> None:
        if item.kind == "fails":
            raise DeliveryError("Slack answered internal_error")
        await release.wait()

    box = Outbox(db, clock, deliver, lease_seconds=10)
    other = Outbox(db, clock, deliver, lease_seconds=10)  # a second replica
    sweep = asyncio.create_task(box.deliver_due())
    slow = next(r for r in rows(db) if r.kind == "slow")
    # The sweep claims both (in the database's threads) and starts delivering; the
    # failed one is no longer held once its failure is written down.
    await until(lambda: box.held == {slow.id} and _failed_once(db), seconds=10)
    clock.advance(seconds=8)
    box.renew(box.held)  # what the heartbeat does every third of a lease
    clock.advance(seconds=8)  # 16 s after the claim: past the first lease, not the renewed one
    # The other replica may retry the failed item (never renewed), never the slow one.
    assert [i.kind for i in other.claim_due()] == ["fails"]
    release.set()
    await sweep


def _failed_once(db: Database) -> bool:
    return any(r.kind == "fails" and r.last_error for r in rows(db))


async def test_a_call_that_hangs_holds_up_only_its_own_stream(db: Database) -> None:
    """A Jira call hanging to its timeout must not hold the other issues' Slack messages
    (a sweep used to wait for its whole batch before claiming the next)."""
    clock = FakeClock()
    put(db, clock, "jira:1", "create-in-jira", "after-jira")
    for n in range(8):
        put(db, clock, f"issue:{n}", f"card-{n}", f"checklist-{n}")
    delivered: list[str] = []
    released = asyncio.Event()

    async def deliver(item: OutboxItem) -> None:
        if item.kind == "create-in-jira":
            await released.wait()
        delivered.append(item.kind)

    box = Outbox(db, clock, deliver, batch_size=4)
    sweep = asyncio.create_task(box.deliver_due())
    await until(lambda: len(delivered) == 16, 30)  # every Slack item, in order
    assert [k for k in delivered if k.endswith("-3")] == ["card-3", "checklist-3"]
    assert "after-jira" not in delivered  # its stream waits behind the hanging call
    released.set()
    assert await sweep == 18
    assert delivered[-2:] == ["create-in-jira", "after-jira"]


async def test_an_item_whose_step_sleeps_past_its_lease_is_not_claimed_again(
    db: Database,
) -> None:
    """A step that waits out a Retry-After on the injected clock jumps past its own lease
    while another stream's item finishes: the sweep must not claim it a second time."""
    clock = FakeClock()
    put(db, clock, "slow", "waits")
    put(db, clock, "quick", "done-at-once")
    calls: list[str] = []

    async def deliver(item: OutboxItem) -> None:
        calls.append(item.kind)
        if item.kind == "waits":
            clock.advance(seconds=outbox.LEASE_SECONDS * 3)  # as FakeClock.sleep does
            await asyncio.sleep(0.3)  # still at it when the sweep looks for more

    box = Outbox(db, clock, deliver)
    assert await box.deliver_due() == 2
    assert sorted(calls) == ["done-at-once", "waits"]
