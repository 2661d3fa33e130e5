"""Tables of what reaches an issue from outside Slack, and what it shows to the outside:
attachments, reporters' status links, and the updates published to the status page.

Created by Alembic migrations only; `storage.models` names every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, Index, LargeBinary, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _utc


class Attachment(SQLModel, table=True):
    """A screenshot, log or HAR file that came with a report.

    Files uploaded on the web (the report form, the embedded reporter) keep their bytes
    here until they are posted; files that are already in Slack (the modal's file input,
    a message filed with *File an issue*) keep only Slack's file id, and the delivery
    fetches them. Either way they are posted into the issue's channel by the outbox."""

    __tablename__ = "attachments"
    __table_args__ = (
        Index("ix_attachments_issue", "issue_id"),
        # One Slack file is carried into one issue once, whatever retries happen.
        UniqueConstraint("issue_id", "slack_file_id", name="uq_attachments_slack_file"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size: int
    data: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    slack_file_id: str | None = Field(default=None, max_length=32)
    origin: str = Field(max_length=20)  # web | embed | slack
    added_by: str | None = Field(default=None, max_length=32)
    added_at: datetime = _utc()
    # The file as posted in the issue's channel (set by the delivery).
    posted_file_id: str | None = Field(default=None, max_length=32)
    posted_at: datetime | None = _utc(default=None)


class ReportLink(SQLModel, table=True):
    """A reporter's status link (`/r/<token>`) for a report filed from outside Slack.

    The token is the link's only secret: unguessable (secrets.token_urlsafe) and shown
    again for a repeat of the same report, so it is kept as it is."""

    __tablename__ = "report_links"
    __table_args__ = (
        # A report sent twice (a retry, a double click) is the same report.
        UniqueConstraint("site", "client_report_id", name="uq_report_links_client_report"),
        Index("ix_report_links_issue", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    token: str = Field(max_length=64, unique=True)
    site: str = Field(max_length=40)  # the intake site, or "web" for the signed-in form
    client_report_id: str = Field(max_length=80)
    email: str | None = Field(default=None, max_length=254)
    created_at: datetime = _utc()


class StatusPost(SQLModel, table=True):
    """One update a responder published to the public status page.

    An issue is on the status page once it has a post (never when it is private)."""

    __tablename__ = "status_posts"
    __table_args__ = (Index("ix_status_posts_issue", "issue_id", "posted_at"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    body: str = Field(sa_column=Column(Text, nullable=False))
    # The Statuspage word for the issue at the time: investigating, identified,
    # monitoring or resolved.
    status: str = Field(max_length=20)
    posted_by: str | None = Field(default=None, max_length=32)
    posted_at: datetime = _utc()
