"""The durable outbox: Slack side effects that survive Slack outages and restarts.

Items are written in the same transaction as the change that needs them and
delivered after commit. Items of one stream are delivered strictly in order.
Claiming takes a lease with a conditional UPDATE (a row is leased only if its
lease is free), which is race-free on PostgreSQL and on SQLite, so several
processes may sweep the same table; an expired lease (a crashed process) frees
the item again.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import Any

from sqlalchemy import and_, bindparam, insert, or_, update
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from storage.bulk import pg_insert_rows
from storage.db import Database
from storage.models import OutboxItem

log = logging.getLogger(__name__)

MAX_BACKOFF_SECONDS = 300
# A lease is renewed every third of its length while its item is delivered, so a
# process that dies frees its items for another replica within this many seconds.
LEASE_SECONDS = 10.0
# Attempts after which an item failing with a permanent error stops retrying.
# Transient failures (rate limits, 5xx, timeouts) retry for as long as it takes.
MAX_PERMANENT_ATTEMPTS = 5
# While a delivery is slow (an outside tool up to its timeout), a sweep looks for other
# streams' heads this often.
RECLAIM_SECONDS = 1.0

# The claim's statements, built once: every commit that enqueues wakes a sweep, and
# building the select with its alias cost as much as running it.
_earlier = aliased(OutboxItem)
_HEAD_OF_STREAM = ~(
    select(_earlier.id)
    .where(
        _earlier.stream == OutboxItem.stream,
        _earlier.status == "pending",
        col(_earlier.id) < OutboxItem.id,
    )
    .exists()
)
_LEASE_FREE = or_(
    col(OutboxItem.locked_until).is_(None), col(OutboxItem.locked_until) < bindparam("now")
)
_DUE = (
    select(OutboxItem)
    .where(OutboxItem.status == "pending", col(OutboxItem.next_attempt_at) <= bindparam("now"))
    .where(_LEASE_FREE, _HEAD_OF_STREAM)
    .order_by(col(OutboxItem.id))
)
_CLAIM = (
    update(OutboxItem)
    .where(and_(col(OutboxItem.id) == bindparam("item_id"), col(OutboxItem.status) == "pending"))
    .where(_LEASE_FREE)
    # Counted at the claim, not at the end: a process killed mid-call leaves
    # attempts > 0, so the next one knows Slack may have seen it.
    .values(locked_until=bindparam("until"), attempts=OutboxItem.attempts + 1)
    .execution_options(synchronize_session=False)
)


class DeliveryError(Exception):
    """A failed delivery; `permanent` when retrying cannot help (a bad request);
    `retry_after` (seconds) when the other side said how long to wait (a 429's
    Retry-After): the next attempt waits at least that long."""

    def __init__(
        self, message: str, *, permanent: bool = False, retry_after: float | None = None
    ) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


Deliver = Callable[[OutboxItem], Awaitable[None]]
ENQUEUED = "outbox_enqueued"


def enqueue(
    session: Session,
    clock: Clock,
    *,
    stream: str,
    kind: str,
    issue_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> OutboxItem:
    now = clock.now()
    item = OutboxItem(
        stream=stream,
        kind=kind,
        issue_id=issue_id,
        payload=payload or {},
        next_attempt_at=now,
        created_at=now,
    )
    session.add(item)
    session.info[ENQUEUED] = True  # the worker wakes when this transaction commits
    return item


def enqueue_rows(session: Session, rows: list[dict[str, Any]]) -> None:
    """Many items in one INSERT (a batch's, e.g. the SLA sweep's), each a dict of
    `enqueue`'s arguments (stream, kind, issue_id, payload, next_attempt_at,
    created_at). They are inserted in list order, so their ids, and each stream's
    delivery order, follow it."""
    if not rows:
        return
    defaults = {"status": "pending", "attempts": 0, "locked_until": None, "last_error": None}
    table = OutboxItem.__table__  # type: ignore[attr-defined]
    full = [{**defaults, "delivered_at": None, **row} for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        pg_insert_rows(session, table, full)  # in list order: ids follow it
    else:
        session.execute(insert(table), full)
    session.info[ENQUEUED] = True  # the worker wakes when this transaction commits


def backoff(attempts: int) -> timedelta:
    """2 s, 4 s, 8 s … capped at 5 minutes."""
    return timedelta(seconds=min(2 ** max(attempts, 1), MAX_BACKOFF_SECONDS))


MAX_RETRY_AFTER_SECONDS = 3600  # a Retry-After longer than this is read as an hour


def wait_before_retry(attempts: int, error: Exception) -> timedelta:
    """The backoff, or longer when the other side asked for longer."""
    wait = backoff(attempts)
    asked = error.retry_after if isinstance(error, DeliveryError) else None
    if asked is not None and asked > 0:
        wait = max(wait, timedelta(seconds=min(asked, MAX_RETRY_AFTER_SECONDS)))
    return wait


class Outbox:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        deliver: Deliver,
        *,
        lease_seconds: float = LEASE_SECONDS,
        batch_size: int = 50,
    ) -> None:
        self.db = db
        self.clock = clock
        self.deliver = deliver
        self.lease = timedelta(seconds=lease_seconds)
        self.batch_size = batch_size
        self._lock = asyncio.Lock()
        self.held: set[int] = set()  # ids this process has leased and is delivering
        self.stopping = False  # set at shutdown: finish the batch under way, claim no more

    def claim_due(
        self, most: int | None = None, held: frozenset[int] = frozenset()
    ) -> list[OutboxItem]:
        """Lease the head item of every stream that is due, up to a batch (or `most`),
        but those in `held`: this process is delivering them, and a lease that looks
        lapsed (a step that slept past it on an injected clock) is still ours."""
        now = self.clock.now()
        with self.db.session() as session:
            limit = self.batch_size if most is None else most
            candidates = session.exec(_DUE.limit(limit), params={"now": now}).all()
            claimed = []
            for item in candidates:
                if item.id in held:
                    continue
                result = session.execute(
                    _CLAIM, {"item_id": item.id, "now": now, "until": now + self.lease}
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    item.attempts += 1  # the claim's count, this attempt included
                    claimed.append(item)
        return claimed

    def _finish(self, item: OutboxItem, error: Exception | None) -> None:
        now = self.clock.now()
        with self.db.session() as session:
            row = session.get(OutboxItem, item.id)
            assert row is not None
            row.locked_until = None
            if error is None:
                row.status, row.delivered_at, row.last_error = "done", now, None
            else:
                permanent = isinstance(error, DeliveryError) and error.permanent
                row.last_error = f"{type(error).__name__}: {error}"[:500]
                if permanent and row.attempts >= MAX_PERMANENT_ATTEMPTS:
                    row.status = "dead"
                    log.error("outbox item %s (%s) gave up: %s", row.id, row.kind, row.last_error)
                else:
                    row.next_attempt_at = now + wait_before_retry(row.attempts, error)
                    log.warning(
                        "outbox item %s (%s) attempt %s failed, retry at %s: %s",
                        row.id,
                        row.kind,
                        row.attempts,
                        row.next_attempt_at,
                        row.last_error,
                    )
            session.add(row)

    async def _run_one(self, item: OutboxItem) -> bool:
        try:
            await self.deliver(item)
        except Exception as exc:
            self.held.discard(item.id or 0)  # finished: no more renewals of its lease
            await self.db.run(self._finish, item, exc)
            return False
        self.held.discard(item.id or 0)
        await self.db.run(self._finish, item, None)
        return True

    async def deliver_due(self) -> int:
        """Deliver everything that is due now, stream by stream; returns items delivered.

        Items run side by side, each stream's in order. New heads are claimed while
        others are still in flight (once half the batch has finished), so one slow
        outside tool (a Jira call that hangs to its timeout) holds up only its own
        stream, never the other issues' Slack messages. When a claim finds nothing due,
        the next waits for the batch to finish, or RECLAIM_SECONDS while a call is slow:
        a claim is a write, and in an alert storm each one costs the intake's writes."""
        delivered = 0
        async with self._lock:
            running: dict[asyncio.Task[bool], int] = {}
            found_nothing = False
            heartbeat = asyncio.create_task(self._heartbeat(), name="outbox-lease")
            try:
                while not self.stopping:
                    if len(running) <= self.batch_size // 2 and not (found_nothing and running):
                        room = self.batch_size - len(running)
                        claimed = await self.db.run(self.claim_due, room, frozenset(self.held))
                        found_nothing = not claimed
                        for item in claimed:
                            self.held.add(item.id or 0)
                            running[asyncio.create_task(self._run_one(item))] = item.id or 0
                    if not running:
                        return delivered
                    done, _ = await asyncio.wait(
                        running,
                        timeout=RECLAIM_SECONDS if found_nothing else None,
                        return_when=asyncio.FIRST_COMPLETED,
                    )
                    if not done:
                        found_nothing = False  # a call is slow: look for other heads
                    for task in done:
                        self.held.discard(running.pop(task))
                        delivered += task.result()
                # Stopping: what is in flight finishes (or is cancelled with us), never
                # left running after the sweep returns.
                for task in list(running):
                    delivered += await task
                    self.held.discard(running.pop(task))
                return delivered
            except asyncio.CancelledError:
                # Stopped mid-call: free what was in flight for whoever comes next.
                for task in running:
                    task.cancel()
                await asyncio.gather(*running, return_exceptions=True)
                self.release(set(running.values()))
                raise
            finally:
                heartbeat.cancel()
                self.held -= set(running.values())

    async def _heartbeat(self) -> None:
        """Keep this process's leases alive while it delivers; a process that died stops
        renewing, and its items are free for another within one lease."""
        while True:
            await asyncio.sleep(self.lease.total_seconds() / 3)
            try:
                await self.db.run(self.renew, set(self.held))
            except Exception:
                # The database may be briefly away; renewing again soon is all we can do.
                log.warning("could not renew outbox leases", exc_info=True)

    def renew(self, ids: set[int]) -> None:
        if ids:
            with self.db.session() as session:
                session.execute(
                    update(OutboxItem)
                    .where(col(OutboxItem.id).in_(ids), col(OutboxItem.status) == "pending")
                    .values(locked_until=self.clock.now() + self.lease)
                )

    def release(self, ids: set[int] | None = None) -> None:
        """Free leases at once: ours at shutdown, or every lease when a SQLite file is
        opened (one process owns it, so any lease there is a dead process's)."""
        stmt = update(OutboxItem).where(col(OutboxItem.status) == "pending")
        if ids is not None:
            if not ids:
                return
            stmt = stmt.where(col(OutboxItem.id).in_(ids))
        with self.db.session() as session:
            session.execute(stmt.values(locked_until=None))


class OutboxWorker:
    """Runs the outbox after every commit (kick) and on a poll for retries."""

    def __init__(self, outbox: Outbox, poll_seconds: float) -> None:
        self.outbox = outbox
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self._stopping = False
        self._task: asyncio.Task[None] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def kick(self) -> None:
        """Wake the worker; safe from any thread (commits also happen in the
        database's threads, and asyncio.Event may only be set on its loop)."""
        loop = self._loop
        if loop is None or _on_loop(loop):
            self._wake.set()
        elif not loop.is_closed():
            loop.call_soon_threadsafe(self._wake.set)

    def start(self) -> None:
        if not self.outbox.db.is_postgres:
            self.outbox.release()  # leases left in our SQLite file are a dead process's
        self._stopping = self.outbox.stopping = False
        self._loop = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._run(), name="firebell-outbox")
        self.outbox.db.after_commit.append(self._committed)

    def _committed(self, info: dict[str, Any]) -> None:
        """After a commit that enqueued something: deliver it now, not at the next poll."""
        if info.get(ENQUEUED):
            self.kick()

    async def stop(self, grace: float = 3.0) -> None:
        """Let the sweep under way finish (up to `grace` seconds), then stop; whatever
        is still held is released so another process, or the next start, takes it."""
        if self._committed in self.outbox.db.after_commit:
            self.outbox.db.after_commit.remove(self._committed)
        if self._task is None:
            return
        self._stopping = self.outbox.stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(asyncio.shield(self._task), timeout=grace)
        except TimeoutError:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
        self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.outbox.deliver_due()
            except Exception:
                # The database may be briefly away; the next poll tries again.
                log.exception("outbox sweep failed")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
            except TimeoutError:
                pass


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
