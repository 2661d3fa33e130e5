"""Tickets hear what reporters hear: a comment for each status move the reporters are
told of (and the close); a merge moves the duplicate's tickets onto the issue it was
merged into, so they follow that one from then on, and says so on each ticket."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.domain import Status
from bot.incidents.hooks import IssueHooks
from bot.integrations.zendesk_intake import queue_comment
from storage.models import Issue, ZendeskTicket


def tickets_of(session: Session, issue: Issue) -> list[ZendeskTicket]:
    return list(
        session.exec(
            select(ZendeskTicket)
            .where(ZendeskTicket.issue_id == issue.id)
            .order_by(ZendeskTicket.ticket_id)  # type: ignore[arg-type]
        )
    )


def zendesk_links(session: Session, issue: Issue) -> list[tuple[str, str]]:
    """The card's links to the issue's tickets (incidents/card_extras.py OutsideLinks)."""
    return [(f"Zendesk #{row.ticket_id}", row.url) for row in tickets_of(session, issue)]


class TellTickets(IssueHooks):
    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def on_reporters_told(self, session: Session, issue: Issue, before: str, after: str) -> None:
        for row in tickets_of(session, issue):
            queue_comment(session, self.clock, issue, row, "status", before, after)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        if issue.status != Status.CLOSED or issue.merged_into_id is None:
            return
        into = session.get(Issue, issue.merged_into_id)
        if into is None:
            return
        for row in tickets_of(session, issue):
            row.issue_id = into.id or 0
            queue_comment(session, self.clock, into, row, "merged", into.status, into.status)
