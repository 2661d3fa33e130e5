"""One sweep transaction's batch: what the engine reads in bulk before deciding, and
what it does once the rows it decided have ids."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session, col, select

from bot.core.ledger import record_many
from bot.core.membership import Known, participants_of
from bot.sla.targets import NobodyOnCall, PageTarget, Resolved
from storage.models import Escalation, Issue, SlaClock

Later = list[Callable[[], None]]


@dataclass
class Batch:
    """What one sweep transaction read in bulk, and what it does once its rows have ids.

    The issues, escalations and clocks of the batch's issues are read in one query
    each (so deciding a row reads nothing more), the ledger keys are claimed in one
    statement, and everything decided is flushed once: notices need their event's
    id, so each issue's side effects from its first notice on wait in `later`, in
    the order they were decided (an issue's stream delivers in that order)."""

    session: Session
    issues: dict[int, Issue]
    escalations: dict[tuple[int, str], Escalation]
    clocks: dict[tuple[int, str], SlaClock]
    claimed: set[str]
    participants: Known
    later: Later = field(default_factory=list)
    targets: dict[PageTarget, Resolved | NobodyOnCall] = field(default_factory=dict)

    @classmethod
    def read(cls, session: Session, issue_ids: set[int], keys: list[dict[str, Any]]) -> Batch:
        ids = sorted(issue_ids)
        issues = {i.id: i for i in session.exec(select(Issue).where(col(Issue.id).in_(ids)))}
        escalations = {
            (e.issue_id, e.clock): e
            for e in session.exec(select(Escalation).where(col(Escalation.issue_id).in_(ids)))
        }
        clocks = {
            (c.issue_id, c.kind): c
            for c in session.exec(select(SlaClock).where(col(SlaClock.issue_id).in_(ids)))
        }
        claimed = record_many(session, keys)
        return cls(session, issues, escalations, clocks, claimed, participants_of(session, ids))  # type: ignore[arg-type]

    def finish(self) -> None:
        self.session.flush()
        for work in self.later:
            work()
