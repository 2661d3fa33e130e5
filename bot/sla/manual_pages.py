"""`/incident page`: page a person, a user group or whoever is on call, now.

The page is the escalation page (same DM, same Acknowledge), sent through the
outbox. The command's trigger id keys it on the ledger, so a command Slack
delivers twice pages once.
"""

from __future__ import annotations

from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.errors import FirebellError
from bot.core.ledger import record_once
from bot.core.observations import PAGED, note
from bot.core.timeline import add_event
from bot.sla import kinds
from bot.sla.config import OnCallConfig
from bot.sla.event_kinds import SlaEvent
from bot.sla.page_log import record_page
from bot.sla.paged_people import invite_paged_person
from bot.sla.targets import PageTarget, TargetKind, render_resolved, resolve
from bot.sla.views import MANUAL
from storage.db import Database
from storage.models import Issue

NOTE_MAX = 500


class ManualPages:
    def __init__(self, db: Database, clock: Clock, config: OnCallConfig) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def page(
        self, issue_id: int, actor_id: str, target_kind: str, target: str, said: str, key: str
    ) -> str:
        """Page now; returns the answer for the person who asked."""
        if len(said) > NOTE_MAX:
            raise FirebellError(f"Keep the message to {NOTE_MAX} characters (this is {len(said)}).")
        now = self.clock.now()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None and issue.id is not None
            resolved = resolve(session, self.config, PageTarget.of(target_kind, target), now)
            kind, value = resolved.target.kind.value, resolved.target.value
            whom = render_resolved(resolved)
            if not record_once(session, f"manual-page:{key}", issue.id, "manual_page", now):
                return f"You paged {whom} about {issue.key}."  # the same press, delivered again
            if resolved.target.kind == TargetKind.USER:  # into the channel before the DM
                invite_paged_person(session, self.clock, issue, value)
            page = kinds.Page(kind, value, None, MANUAL, 0, 0, by=actor_id, note=said or None)
            enqueue(session, self.clock, page, issue=issue)
            record_page(session, self.config, issue, kind, value, now, schedule=resolved.schedule)
            note(session, PAGED, kind, about=issue)
            event = add_event(
                session, issue, SlaEvent.PAGED, self.clock, actor_id, whom=whom, note=said or None
            )
            kinds.notice(session, self.clock, issue, event)
            return f"Paged {whom} about {issue.key}."
