"""Tables. Created by Alembic migrations only, never at import time."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.issue_key import IssueKey
from storage.types import utc_field as _utc


class KeyCounter(SQLModel, table=True):
    """Next number per key series (e.g. "issue" -> INC-<n>).

    Allocation increments the row inside the transaction that creates the
    record, so a rollback gives the number back: no gaps, no collisions.
    """

    __tablename__ = "key_counters"
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


# The statuses of an open issue (bot/incidents/rules.py's OPEN_STATUSES, in its order).
OPEN_ISSUE_SQL = "status IN ('new', 'assigned', 'revise', 'retest', 'fixed')"


class Issue(SQLModel, table=True):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("number", name="uq_issues_number"),
        # Open issues are counted at every /metrics scrape and in every digest and list.
        Index("ix_issues_status", "status", "severity", "type"),
        # Figures read the issues filed in a period.
        Index("ix_issues_created", "created_at"),
        # The duplicate finder reads the issues of a report's trace ID at every filing.
        Index("ix_issues_trace", "trace_id"),
        # Only the open issues, newest first: lists, App Home and the open counts read
        # these without the closed history (bot/incidents/rules.py's open_issues() writes
        # the same condition into its queries, so the planners match it).
        Index(
            "ix_issues_open",
            "number",
            sqlite_where=text(OPEN_ISSUE_SQL),
            postgresql_where=text(OPEN_ISSUE_SQL),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    number: int
    # What made this issue (e.g. the modal's view id): a retry or a double
    # submit carries the same key and finds the issue instead of adding one.
    idempotency_key: str = Field(max_length=200, unique=True)
    title: str = Field(max_length=150)
    type: str = Field(max_length=20)
    severity: str = Field(max_length=20)
    priority: str | None = Field(default=None, max_length=20)
    service: str | None = Field(default=None, max_length=80)
    environment: str | None = Field(default=None, sa_column=Column(Text))
    description: str | None = Field(default=None, sa_column=Column(Text))
    stack_trace: str | None = Field(default=None, sa_column=Column(Text))
    trace_id: str | None = Field(default=None, max_length=200)
    users_affected: int | None = None
    private: bool = False
    reporter_id: str = Field(max_length=32)
    commander_id: str | None = Field(default=None, max_length=32)
    assignee_id: str | None = Field(default=None, max_length=32)
    channel_id: str | None = Field(default=None, max_length=32)
    channel_name: str | None = Field(default=None, max_length=80)
    card_ts: str | None = Field(default=None, max_length=32)
    source_channel_id: str | None = Field(default=None, max_length=32)
    source_message_ts: str | None = Field(default=None, max_length=32)
    source_permalink: str | None = Field(default=None, max_length=500)
    status: str = Field(default="new", max_length=20)
    phase: str = Field(default="detection", max_length=20)
    playbook: str | None = Field(default=None, max_length=60)
    # Set by an alert route: the escalation policy to use instead of the matched one.
    escalation_policy: str | None = Field(default=None, max_length=40)
    # How many reports or alerts this issue stands for (ranks the weekly digest).
    occurrences: int = 1
    # When an SLA clock of this issue first ran out (shown on the card and Home tab).
    breached_at: datetime | None = _utc(default=None)
    # The reporter's DMs on status changes; they can turn them off from a DM.
    reporter_updates: bool = True
    # A drill or a test (its playbook or type says `exclude_from_metrics`), fixed at
    # filing: left out of every figure and metric.
    exclude_from_metrics: bool = False
    # Where a report from outside Slack came from (reports/context.py): the page, the
    # browser and device, screen and viewport, time zone, language, the console errors
    # and the pages visited before it. None for issues filed in Slack or by alerts.
    context: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    # Closed as a duplicate of this issue (its reporters follow that one now).
    merged_into_id: int | None = Field(default=None, foreign_key="issues.id")
    created_at: datetime = _utc()
    acknowledged_at: datetime | None = _utc(default=None)
    fixed_at: datetime | None = _utc(default=None)
    deployed_at: datetime | None = _utc(default=None)
    closed_at: datetime | None = _utc(default=None)

    @property
    def key(self) -> IssueKey:
        return IssueKey(self.number)


class TimelineEvent(SQLModel, table=True):
    __tablename__ = "timeline_events"
    __table_args__ = (
        Index("ix_timeline_issue_at", "issue_id", "at"),
        # Events that must be recorded once (a pinned message) carry a key.
        UniqueConstraint("issue_id", "dedup_key", name="uq_timeline_dedup"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    at: datetime = _utc()
    actor_id: str | None = Field(default=None, max_length=32)
    kind: str = Field(max_length=40)
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    dedup_key: str | None = Field(default=None, max_length=80)


class Participant(SQLModel, table=True):
    __tablename__ = "participants"
    __table_args__ = (
        UniqueConstraint("issue_id", "user_id", "role", name="uq_participant_role"),
        # "The issues I am in" (my list, App Home, what a person may see named).
        Index("ix_participants_user", "user_id", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    user_id: str = Field(max_length=32)
    role: str = Field(max_length=20)
    added_at: datetime = _utc()
    # A reporter who turned off status DMs (the first reporter's switch is on the issue).
    muted: bool = False


class OutboxItem(SQLModel, table=True):
    """A Slack side effect that must not be lost.

    Written in the same transaction as the change that needs it; delivered
    after commit. Items of one stream (e.g. one issue) are delivered in order,
    because later steps need earlier results (the card needs the channel).
    """

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_pending", "status", "stream", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    stream: str = Field(max_length=80)
    kind: str = Field(max_length=40)
    issue_id: int | None = Field(default=None, foreign_key="issues.id")
    payload: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    status: str = Field(default="pending", max_length=10)  # pending | done | dead
    attempts: int = 0
    next_attempt_at: datetime = _utc()
    locked_until: datetime | None = _utc(default=None)
    last_error: str | None = Field(default=None, max_length=500)
    created_at: datetime = _utc()
    delivered_at: datetime | None = _utc(default=None)


class ProcessedEvent(SQLModel, table=True):
    """Slack Events API ids already handled: Slack retries deliveries, we act once."""

    __tablename__ = "processed_events"
    event_id: str = Field(primary_key=True, max_length=64)
    received_at: datetime = _utc()


class StepState(SQLModel, table=True):
    """A playbook step that was done or skipped (pending steps have no row)."""

    __tablename__ = "step_states"
    __table_args__ = (UniqueConstraint("issue_id", "step_id", name="uq_step_state"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    phase: str = Field(max_length=20)
    step_id: str = Field(max_length=60)
    state: str = Field(max_length=10)  # done | skipped
    actor_id: str = Field(max_length=32)
    at: datetime = _utc()
    answer: str | None = Field(default=None, sa_column=Column(Text))
    skip_reason: str | None = Field(default=None, max_length=500)


class PhaseMessage(SQLModel, table=True):
    """The checklist message of one phase of one issue, kept up to date."""

    __tablename__ = "phase_messages"
    __table_args__ = (UniqueConstraint("issue_id", "phase", name="uq_phase_message"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    phase: str = Field(max_length=20)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)


# Every table, named from here (the tables of the other slices live beside this file;
# importing storage.models registers them all on SQLModel.metadata).
from storage.integration_models import ZendeskTicket  # noqa: E402
from storage.jira_models import JiraFollowUp, JiraIssue  # noqa: E402
from storage.record_models import (  # noqa: E402
    AlertEvent,
    AlertGroup,
    Deploy,
    DuplicateSuggestion,
    FeedMessage,
    FollowUp,
    IssueLink,
    IssueMetrics,
    IssueTerms,
    IssueVector,
    Review,
    TriageSetting,
)
from storage.report_models import Attachment, ReportLink, StatusPost  # noqa: E402
from storage.sla_models import (  # noqa: E402
    Escalation,
    Notification,
    OnCallOverride,
    PageDm,
    PageSent,
    SlaClock,
)

__all__ = [
    "AlertEvent",
    "AlertGroup",
    "Attachment",
    "Deploy",
    "DuplicateSuggestion",
    "Escalation",
    "FeedMessage",
    "FollowUp",
    "Issue",
    "IssueLink",
    "IssueMetrics",
    "IssueTerms",
    "IssueVector",
    "JiraFollowUp",
    "JiraIssue",
    "KeyCounter",
    "Notification",
    "OnCallOverride",
    "OutboxItem",
    "PageDm",
    "PageSent",
    "Participant",
    "PhaseMessage",
    "ProcessedEvent",
    "ReportLink",
    "Review",
    "SlaClock",
    "StatusPost",
    "StepState",
    "TimelineEvent",
    "TriageSetting",
    "ZendeskTicket",
]
