"""Follow-ups from published reviews: listing, finishing, reminding their owners."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import col, select

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.errors import FirebellError
from bot.core.ledger import record_once
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.reviews.event_kinds import ReviewEvent
from bot.reviews.kinds import DmFollowup
from storage.db import Database
from storage.models import FollowUp, Issue


class FollowUps:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def listing(self, user_id: str, mine: bool) -> list[tuple[FollowUp, Issue]]:
        with self.db.session() as session:
            stmt = (
                select(FollowUp, Issue)
                .join(Issue, col(Issue.id) == FollowUp.issue_id)
                .where(FollowUp.status == "open")
            )
            if mine:
                stmt = stmt.where(FollowUp.owner_id == user_id)
            return [(f, i) for f, i in session.exec(stmt.order_by(col(FollowUp.due_on)))]

    def open_of(self, issue_id: int) -> list[FollowUp]:
        """One issue's open follow-ups, oldest first (what may be exported elsewhere)."""
        with self.db.session() as session:
            stmt = select(FollowUp).where(FollowUp.issue_id == issue_id, FollowUp.status == "open")
            return list(session.exec(stmt.order_by(col(FollowUp.id))))

    def issue_of(self, followup_id: int) -> int:
        """The issue a follow-up belongs to (a button re-checks who may see it)."""
        with self.db.session() as session:
            followup = session.get(FollowUp, followup_id)
        if followup is None:
            raise FirebellError("That follow-up no longer exists.")
        return followup.issue_id

    def finish(self, followup_id: int, actor: Actor) -> str:
        with self.db.session() as session:
            followup = session.get(FollowUp, followup_id)
            if followup is None:
                raise FirebellError("That follow-up no longer exists.")
            if followup.status == "done":
                return f"“{escape(followup.title)}” was already done."
            if followup.owner_id not in (None, actor.user_id) and not actor.is_admin:
                raise FirebellError(
                    f"Only its owner <@{followup.owner_id}> or an admin can finish that follow-up."
                )
            followup.status, followup.done_at = "done", self.clock.now()
            session.add(followup)
            issue = session.get(Issue, followup.issue_id)
            assert issue is not None
            add_event(
                session,
                issue,
                ReviewEvent.FOLLOWUP_DONE,
                self.clock,
                actor.user_id,
                title=followup.title,
            )
            return f"“{escape(followup.title)}” is done."

    def remind(self) -> int:
        """DM owners once a day before the due date and once when overdue."""
        now = self.clock.now()
        today = now.date()
        sent = 0
        with self.db.session() as session:
            due = session.exec(
                select(FollowUp).where(
                    FollowUp.status == "open",
                    col(FollowUp.owner_id).is_not(None),
                    col(FollowUp.due_on).is_not(None),
                    col(FollowUp.due_on) <= today + timedelta(days=1),
                )
            )
            for followup in due:
                assert followup.due_on is not None
                reason = "overdue" if followup.due_on < today else "due_soon"
                if not record_once(
                    session,
                    f"followup:{followup.id}:{reason}",
                    followup.issue_id,
                    "followup_reminder",
                    now,
                ):
                    continue
                issue = session.get(Issue, followup.issue_id)
                assert issue is not None
                enqueue(session, self.clock, DmFollowup(followup.id or 0, reason), issue=issue)
                sent += 1
        return sent
