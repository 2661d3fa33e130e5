"""What people answer to the SLA slice: a page's Acknowledge, the digest's buttons."""

from __future__ import annotations

from bot.core.clock import Clock
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents.closing import Closing
from bot.incidents.lifecycle import Changed, Lifecycle, editing
from bot.sla import kinds, page_dms
from bot.sla.clocks import SlaClocks
from bot.sla.event_kinds import SlaEvent
from storage.db import Database


class Responses:
    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle, clocks: SlaClocks) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle
        self.clocks = clocks

    def acknowledge_page(
        self, issue_id: int, actor: Actor, dm: tuple[str, str] | None = None
    ) -> Changed:
        """The Acknowledge button of an escalation DM: ack the issue, stop its escalations.
        Every page DM is then settled, the pressed one (`dm`: channel and ts) included,
        even when the issue was taken before (a page sent by hand after the ack)."""
        changed = self.lifecycle.acknowledge(issue_id, actor)
        with editing(self.db, issue_id) as (session, issue):
            assert issue.id is not None
            if dm is not None:  # a DM posted before page DMs were kept: keep it now
                page_dms.keep(session, issue.id, actor.user_id, dm[0], dm[1], self.clock.now())
            page_dms.settle(session, self.clock, issue, page_dms.ACKNOWLEDGED, actor.user_id)
            stopped = self.clocks.stop_escalations(
                session, issue, self.clock.now(), "page acknowledged"
            )
            # Always on the timeline: a page sent by hand on an issue already taken
            # stops nothing, and the person who pressed still answered it.
            event = add_event(
                session,
                issue,
                SlaEvent.PAGE_ACKNOWLEDGED,
                self.clock,
                actor.user_id,
                escalation_stopped=bool(stopped),
            )
            kinds.notice(session, self.clock, issue, event)
        return Changed(changed.issue, f"You acknowledged the page for {changed.issue.key}.")

    def close_in_review(self, issue_id: int, actor: Actor) -> Changed:
        """The weekly review's Close: an open issue nobody needs any more, from any status."""
        why = Closing(
            kind=SlaEvent.CLOSED_IN_REVIEW,
            reason="closed in review",
            summary="Closed in the weekly review as no longer relevant.",
            announce=kinds.notice,
        )
        return self.lifecycle.close_anyway(issue_id, actor, why)

    def still_relevant(self, issue_id: int, actor: Actor) -> Changed:
        with editing(self.db, issue_id) as (session, issue):
            add_event(session, issue, SlaEvent.STILL_RELEVANT, self.clock, actor.user_id)
            return Changed(issue, f"Noted: {issue.key} is still relevant.")
