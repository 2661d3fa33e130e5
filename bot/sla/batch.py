"""One sweep transaction's batch: what the engine reads in bulk before deciding, and
what it does once the rows it decided have ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, issue_stream
from bot.core.ledger import record_many
from bot.core.membership import Known, insert_participants, participants_of
from bot.core.outbox import enqueue_rows
from bot.core.timeline import EventRows
from bot.sla.clocks import FIRED_FIELD, next_check
from bot.sla.config import EscalationPolicy
from bot.sla.page_log import insert_pages
from bot.sla.targets import NobodyOnCall, PageTarget, Resolved
from storage.bulk import any_of, update_rows
from storage.models import Escalation, Issue, SlaClock

Later = list[Callable[[], None]]
NEXT_IDS = text(
    "SELECT nextval(pg_get_serial_sequence('escalations', 'id')) FROM generate_series(1, :n)"
)


@dataclass
class Batch:
    """What one sweep transaction read in bulk, and what it writes in bulk.

    The issues, escalations and clocks of the batch's issues are read in one query
    each (so deciding a row reads nothing more), and the ledger keys are claimed in
    one statement. What the batch decides to write is kept as plain rows, no model
    objects: timeline events (`events`), outbox items (`send`, in the order decided,
    which is each issue's stream order), pages sent and participants, and the
    clocks' fired thresholds and issues' breaches (`clock_fired`, `breached`).
    `finish` flushes what the ORM holds (escalations started or moved), updates
    the clocks and the issues in one statement each, then inserts each kind of row
    in one statement, events first so that the notices that announce them carry
    their ids. On PostgreSQL those statements take their rows as one JSON document
    (storage/bulk.py `pg_insert_rows`, `update_rows`), and a clock batch pages the
    escalations it started before anything is written (`give_ids`)."""

    session: Session
    clock: Clock
    issues: dict[int, Issue]
    escalations: dict[tuple[int, str], Escalation]
    clocks: dict[tuple[int, str], SlaClock]
    claimed: set[str]
    participants: Known
    later: Later = field(default_factory=list)
    started: list[Escalation] = field(default_factory=list)  # escalations started here
    clock_changes: list[dict[str, Any]] = field(default_factory=list)  # fired, next check
    breached: list[dict[str, Any]] = field(default_factory=list)  # issues' breached_at
    targets: dict[PageTarget, Resolved | NobodyOnCall] = field(default_factory=dict)
    policies: dict[tuple[Any, ...], EscalationPolicy | None] = field(default_factory=dict)
    events: EventRows = field(default_factory=EventRows)
    pages: list[dict[str, Any]] = field(default_factory=list)
    joined: list[dict[str, object]] = field(default_factory=list)  # participant rows
    _outbox: list[tuple[dict[str, Any], Payload | Callable[[], Payload]]] = field(
        default_factory=list
    )

    @classmethod
    def read(
        cls, session: Session, clock: Clock, issue_ids: set[int], keys: list[dict[str, Any]]
    ) -> Batch:
        ids = sorted(issue_ids)
        pg = session.get_bind().dialect.name == "postgresql"
        issues = {i.id: i for i in session.exec(select(Issue).where(any_of(Issue.id, ids, pg)))}
        escalations = {
            (e.issue_id, e.clock): e
            for e in session.exec(select(Escalation).where(any_of(Escalation.issue_id, ids, pg)))
        }
        clocks = {
            (c.issue_id, c.kind): c
            for c in session.exec(select(SlaClock).where(any_of(SlaClock.issue_id, ids, pg)))
        }
        claimed = record_many(session, keys)
        return cls(
            session,
            clock,
            issues,  # type: ignore[arg-type]
            escalations,
            clocks,
            claimed,
            participants_of(session, ids),
        )

    def clock_fired(self, row: SlaClock, crossed: list[str], now: datetime) -> None:
        """The clock's `crossed` thresholds fired `now`: the row reads so at once, and
        the batch's clocks are written in one statement at `finish` (nothing for the
        session to flush)."""
        for name in crossed:
            set_committed_value(row, FIRED_FIELD[name], now)
        set_committed_value(row, "next_check_at", next_check(row))
        self.clock_changes.append(
            {
                "id": row.id,
                "warned_at": row.warned_at,
                "escalated_at": row.escalated_at,
                "breached_at": row.breached_at,
                "next_check_at": row.next_check_at,
            }
        )

    def give_ids(self) -> list[Escalation]:
        """The escalations started in this batch, with their ids: on PostgreSQL drawn
        from the sequence in one statement, so each row is inserted once, already
        stepped, by `finish`'s flush; elsewhere a flush inserts them now."""
        started, self.started = self.started, []
        if self.session.get_bind().dialect.name != "postgresql":
            self.session.flush()
            return started
        with self.session.no_autoflush:  # not before they have their ids
            ids = self.session.execute(NEXT_IDS, {"n": len(started)}).scalars()
        for row, escalation_id in zip(started, sorted(ids), strict=True):
            row.id = escalation_id
        return started

    def send(self, issue: Issue, payload: Payload | Callable[[], Payload]) -> None:
        """One side effect on the issue's stream, after those decided before it; a
        callable payload is built at `finish` (a notice needs its event's id)."""
        assert issue.id is not None
        now = self.clock.now()
        row = {
            "stream": issue_stream(issue.id),
            "issue_id": issue.id,
            "next_attempt_at": now,
            "created_at": now,
        }
        self._outbox.append((row, payload))

    def finish(self) -> None:
        self.session.flush()
        update_rows(self.session, SlaClock.__table__, self.clock_changes)  # type: ignore[attr-defined]
        update_rows(self.session, Issue.__table__, self.breached)  # type: ignore[attr-defined]
        self.clock_changes, self.breached = [], []
        self.events.insert(self.session)
        rows = []
        for row, payload in self._outbox:
            made = payload() if callable(payload) else payload
            rows.append({**row, "kind": made.kind.value, "payload": made.as_json()})
        self._outbox = []
        enqueue_rows(self.session, rows)
        insert_pages(self.session, self.pages)
        insert_participants(self.session, self.joined)
        self.pages, self.joined = [], []
        for work in self.later:
            work()
