"""Page DMs are kept when posted, and settled once someone has taken the issue.

A page DM says "needs you" with an Acknowledge button. When the issue is
acknowledged, fixed or closed (the lifecycle's hooks), one outbox item edits every
page DM still live to say who took it and when, without buttons. The item follows
the pages enqueued before it on the issue's stream, so a page still on its way is
settled too; each DM is marked settled after its edit, so a retry edits only those
left (and an edit repeated after a crash writes the same words).
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.domain import Status
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.hooks import IssueHooks
from bot.sla import kinds
from storage.db import Database
from storage.models import Issue, PageDm, TimelineEvent

ACKNOWLEDGED, FIXED, CLOSED = "acknowledged", "fixed", "closed"


def settle(session: Session, clock: Clock, issue: Issue, how: str, by: str | None) -> None:
    enqueue(session, clock, kinds.SettlePageDms(how, by, clock.now().isoformat()), issue=issue)


class SettlePagesWhenTaken(IssueHooks):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        settle(session, self.clock, issue, ACKNOWLEDGED, None)

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        settle(session, self.clock, issue, FIXED, None)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        if issue.status == Status.CLOSED:
            settle(session, self.clock, issue, CLOSED, None)


def keep(
    session: Session, issue_id: int, user_id: str, channel_id: str, ts: str, at: datetime
) -> None:
    """Remember a page DM (once: a retry finds the same message)."""
    known = session.exec(
        select(PageDm.id).where(PageDm.channel_id == channel_id, PageDm.ts == ts)
    ).first()
    if known is None:
        session.add(
            PageDm(issue_id=issue_id, user_id=user_id, channel_id=channel_id, ts=ts, posted_at=at)
        )


def live(db: Database, issue_id: int) -> list[PageDm]:
    with db.session() as session:
        return list(
            session.exec(
                select(PageDm)
                .where(PageDm.issue_id == issue_id, col(PageDm.settled_at).is_(None))
                .order_by(col(PageDm.id))
            )
        )


def mark_settled(db: Database, page_id: int | None, at: datetime) -> None:
    with db.session() as session:
        row = session.get(PageDm, page_id)
        if row is not None:
            row.settled_at = at
            session.add(row)


def taker(db: Database, issue_id: int, how: str) -> str | None:
    """Who acknowledged, fixed or closed the issue: the newest timeline event that
    did it (the lifecycle's hook runs before that event is written)."""
    after = {ACKNOWLEDGED: Status.ASSIGNED, FIXED: Status.FIXED, CLOSED: Status.CLOSED}[how]
    with db.session() as session:
        events = session.exec(
            select(TimelineEvent)
            .where(TimelineEvent.issue_id == issue_id, col(TimelineEvent.actor_id).is_not(None))
            .order_by(col(TimelineEvent.id).desc())
            .limit(50)
        )
        for event in events:
            if (how == ACKNOWLEDGED and event.kind == IncidentEvent.ACKNOWLEDGED) or (
                event.payload.get("after") == after.value
            ):
                return event.actor_id
    return None
