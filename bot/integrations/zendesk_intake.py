"""A Zendesk ticket event in: open an issue, join one, or nothing; once per ticket.

Everything one event does is one transaction: the delivery's id (so a redelivery is
known), the issue through filing (the one way an issue comes to be) or the join, the
ticket's row (unique per ticket, so two deliveries racing cannot tie it twice) and the
comment owed to the ticket.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.blocks import clip
from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.domain import IssueType, Severity
from bot.core.reporters import external
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.drafts import IssueDraft
from bot.incidents.filing import Filing
from bot.integrations.event_kinds import IntegrationEvent
from bot.integrations.kinds import ZendeskComment, ticket_stream
from bot.integrations.zendesk_config import ZendeskConfig
from storage.db import Database
from storage.issue_key import IssueKey, NoSuchKey, NotAKey
from storage.models import Issue, ProcessedEvent, ZendeskTicket

# Zendesk's ticket priority as the reporter's severity; no priority reads as minor.
SEVERITIES = {
    "low": Severity.TRIVIAL,
    "normal": Severity.MINOR,
    "high": Severity.MAJOR,
    "urgent": Severity.CRITICAL,
}
DESCRIPTION_MAX = 20_000
MERGE_DEPTH = 20  # merges never chain (merge.py refuses), but a loop must not hang us


@dataclass(frozen=True)
class TicketEvent:
    """What Firebell reads of a ticket event (zendesk_webhook.py checks the shapes)."""

    ticket_id: int
    subject: str
    description: str
    tags: tuple[str, ...]
    requester_id: str
    priority: str | None = None


@dataclass(frozen=True)
class Received:
    """What the event did: opened, joined, known (the ticket was tied already),
    repeat (this delivery was handled before) or ignored (no tag of ours)."""

    action: str
    issue: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"action": self.action, "issue": self.issue}


class ZendeskIntake:
    def __init__(self, db: Database, clock: Clock, filing: Filing, config: ZendeskConfig) -> None:
        self.db = db
        self.clock = clock
        self.filing = filing
        self.config = config

    def receive(self, event: TicketEvent, seen: list[str]) -> Received:
        """`seen`: the delivery's ids (its invocation's, its event's), kept so that a
        redelivery under either is known."""
        try:
            with self.db.session() as session:
                for delivery_id in seen:
                    session.add(ProcessedEvent(event_id=delivery_id, received_at=self.clock.now()))
                    session.flush()  # a redelivery stops here, on the primary key
                return self._receive(session, event)
        except IntegrityError:
            # This delivery was handled, or another delivery tied the ticket meanwhile.
            with self.db.session() as session:
                row = self._row(session, event.ticket_id)
                key = _key(session, row.issue_id) if row is not None else None
            return Received("repeat", key)

    def _receive(self, session: Session, event: TicketEvent) -> Received:
        row = self._row(session, event.ticket_id)
        if row is not None:  # one issue per ticket, whatever comes later
            return Received("known", _key(session, row.issue_id))
        target = _tagged_issue(session, event.tags)
        if target is not None:
            return self._join(session, target, event)
        if self.config.open_tag in event.tags:
            return self._open(session, event)
        return Received("ignored")

    def _row(self, session: Session, ticket_id: int) -> ZendeskTicket | None:
        return session.exec(
            select(ZendeskTicket).where(ZendeskTicket.ticket_id == ticket_id)
        ).first()

    def _open(self, session: Session, event: TicketEvent) -> Received:
        reporter = external("zendesk", event.requester_id)
        draft = IssueDraft(
            title=clip(event.subject.strip() or f"Zendesk ticket #{event.ticket_id}", 150),
            type=IssueType.BUG,
            severity=SEVERITIES.get(event.priority or "", Severity.MINOR),
            reporter_id=reporter,
            description=event.description.strip()[:DESCRIPTION_MAX] or None,
        )
        # Through filing: its hooks run as for any report (SLA clocks, the duplicate
        # finder, the feed), and the card is queued; the ticket's row is in before the
        # card is drawn, so the card links the ticket.
        issue = self.filing.add(session, draft, f"zendesk:{event.ticket_id}")
        row = self._tie(session, issue, event, joined=False)
        add_event(
            session,
            issue,
            IntegrationEvent.ZENDESK_OPENED,
            self.clock,
            reporter,
            ticket=event.ticket_id,
        )
        self._comment(session, issue, row, "opened")
        return Received("opened", issue.key)

    def _join(self, session: Session, issue: Issue, event: TicketEvent) -> Received:
        """One more report of a known issue: counted, on the timeline and in the channel,
        and the requester hears of it on their ticket from now on."""
        reporter = external("zendesk", event.requester_id)
        issue.occurrences += 1
        session.add(issue)
        row = self._tie(session, issue, event, joined=True)
        said = add_event(
            session,
            issue,
            IntegrationEvent.ZENDESK_JOINED,
            self.clock,
            reporter,
            ticket=event.ticket_id,
            occurrences=issue.occurrences,
        )
        incident_kinds.announce(session, self.clock, issue, said)
        incident_kinds.refresh_card(session, self.clock, issue)
        self._comment(session, issue, row, "joined")
        return Received("joined", issue.key)

    def _tie(
        self, session: Session, issue: Issue, event: TicketEvent, joined: bool
    ) -> ZendeskTicket:
        assert issue.id is not None
        row = ZendeskTicket(
            ticket_id=event.ticket_id,
            issue_id=issue.id,
            requester_id=event.requester_id,
            url=self.config.ticket_link(event.ticket_id),
            joined=joined,
            created_at=self.clock.now(),
        )
        session.add(row)
        session.flush()  # a concurrent delivery of the same ticket fails here
        return row

    def _comment(self, session: Session, issue: Issue, row: ZendeskTicket, about: str) -> None:
        queue_comment(session, self.clock, issue, row, about, issue.status, issue.status)


def queue_comment(
    session: Session,
    clock: Clock,
    issue: Issue,
    row: ZendeskTicket,
    about: str,
    before: str,
    after: str,
) -> None:
    """The next comment owed to one ticket, on the ticket's own stream."""
    row.comments += 1
    session.add(row)
    comment = ZendeskComment(row.ticket_id, row.comments, about, before, after)
    enqueue(session, clock, comment, issue=issue, stream=ticket_stream(row.ticket_id))


def _tagged_issue(session: Session, tags: tuple[str, ...]) -> Issue | None:
    """The issue a tag like `inc-42` names, followed to the issue it was merged into."""
    for tag in tags:
        try:
            key = IssueKey.parse(tag)
        except (NotAKey, NoSuchKey):
            continue
        issue = session.exec(select(Issue).where(Issue.number == key.number)).first()
        for _ in range(MERGE_DEPTH):
            if issue is None or issue.merged_into_id is None:
                break
            issue = session.get(Issue, issue.merged_into_id)
        if issue is not None:
            return issue
    return None


def _key(session: Session, issue_id: int) -> str | None:
    issue = session.get(Issue, issue_id)
    return issue.key if issue is not None else None
