"""Tables of the outside tools an issue is tied to (bot/integrations/).

Created by Alembic migrations only; `storage.models` names every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _utc


class ZendeskTicket(SQLModel, table=True):
    """A Zendesk ticket tied to an issue: the ticket that opened it, or one tagged with
    its key that joined it as one more report. One row per ticket, whatever Zendesk
    redelivers; a merge moves the row to the issue the duplicate was merged into."""

    __tablename__ = "zendesk_tickets"
    __table_args__ = (
        UniqueConstraint("ticket_id", name="uq_zendesk_tickets_ticket"),
        Index("ix_zendesk_tickets_issue", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    # Zendesk's ids are 64-bit.
    ticket_id: int = Field(sa_column=Column(BigInteger, nullable=False))
    issue_id: int = Field(foreign_key="issues.id")
    requester_id: str = Field(max_length=24)
    url: str = Field(max_length=500)  # the ticket in Zendesk's agent interface
    joined: bool = False  # False: this ticket opened the issue
    # Comments Firebell has queued for the ticket: numbers each one ("Update 3"), which
    # also makes every comment's body its own, so a retry can find it in Zendesk.
    comments: int = 0
    created_at: datetime = _utc()
