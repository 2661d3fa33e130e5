"""Tables. Created by Alembic migrations only, never at import time."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.issue_key import IssueKey
from storage.types import UTCDateTime


def _utc(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class KeyCounter(SQLModel, table=True):
    """Next number per key series (e.g. "issue" -> INC-<n>).

    Allocation increments the row inside the transaction that creates the
    record, so a rollback gives the number back: no gaps, no collisions.
    """

    __tablename__ = "key_counters"
    name: str = Field(primary_key=True, max_length=40)
    value: int = 0


class Issue(SQLModel, table=True):
    __tablename__ = "issues"
    __table_args__ = (
        UniqueConstraint("number", name="uq_issues_number"),
        # Open issues are counted at every /metrics scrape and in every digest and list.
        Index("ix_issues_status", "status", "severity", "type"),
        # Figures read the issues filed in a period.
        Index("ix_issues_created", "created_at"),
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
    __table_args__ = (UniqueConstraint("issue_id", "user_id", "role", name="uq_participant_role"),)

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


class SlaClock(SQLModel, table=True):
    """One running SLA clock (acknowledge, update or resolve) of one issue.

    `next_check_at` is the next threshold not yet fired (warn, escalate, due);
    the engine reads only rows whose next check has come, by index.
    """

    __tablename__ = "sla_clocks"
    __table_args__ = (
        UniqueConstraint("issue_id", "kind", name="uq_sla_clock"),
        Index("ix_sla_clocks_next_check", "next_check_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    kind: str = Field(max_length=12)  # acknowledge | update | resolve
    started_at: datetime = _utc()
    warn_at: datetime = _utc()
    escalate_at: datetime = _utc()
    due_at: datetime = _utc()
    warned_at: datetime | None = _utc(default=None)
    escalated_at: datetime | None = _utc(default=None)
    breached_at: datetime | None = _utc(default=None)
    stopped_at: datetime | None = _utc(default=None)
    next_check_at: datetime | None = _utc(default=None)


class Escalation(SQLModel, table=True):
    """An escalation in progress, with the policy as it was when it started."""

    __tablename__ = "escalations"
    __table_args__ = (
        UniqueConstraint("issue_id", "clock", name="uq_escalation"),
        Index("ix_escalations_next_step", "next_step_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    clock: str = Field(max_length=12)
    policy_name: str = Field(max_length=40)
    policy: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    step: int = 0
    loop: int = 0
    next_step_at: datetime | None = _utc(default=None)
    started_at: datetime = _utc()
    stopped_at: datetime | None = _utc(default=None)
    stop_reason: str | None = Field(default=None, max_length=40)


class Notification(SQLModel, table=True):
    """Every warning, ping and escalation step decided, keyed so it happens once."""

    __tablename__ = "notifications"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    issue_id: int | None = Field(default=None, foreign_key="issues.id")
    kind: str = Field(max_length=20)
    target: str | None = Field(default=None, max_length=80)
    created_at: datetime = _utc()


class OnCallOverride(SQLModel, table=True):
    __tablename__ = "oncall_overrides"
    __table_args__ = (Index("ix_overrides_schedule_end", "schedule", "ends_at"),)

    id: int | None = Field(default=None, primary_key=True)
    schedule: str = Field(max_length=40)
    user_id: str = Field(max_length=32)
    starts_at: datetime = _utc()
    ends_at: datetime = _utc()
    created_by: str = Field(max_length=32)
    created_at: datetime = _utc()


class Review(SQLModel, table=True):
    """The post-incident review of an issue: a draft until published."""

    __tablename__ = "reviews"

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id", unique=True)
    status: str = Field(default="draft", max_length=10)  # draft | published
    source: str = Field(max_length=20)  # model | template
    note: str | None = Field(default=None, max_length=300)  # why the template was used
    content: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    channel_id: str | None = Field(default=None, max_length=32)
    message_ts: str | None = Field(default=None, max_length=32)
    drafted_by: str = Field(max_length=32)
    drafted_at: datetime = _utc()
    published_by: str | None = Field(default=None, max_length=32)
    published_at: datetime | None = _utc(default=None)


class FollowUp(SQLModel, table=True):
    """An action item of a published review, with an owner and a due date."""

    __tablename__ = "followups"
    __table_args__ = (Index("ix_followups_open_due", "status", "due_on"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    title: str = Field(max_length=200)
    owner_id: str | None = Field(default=None, max_length=32)
    due_on: date | None = None
    priority: str = Field(default="medium", max_length=10)
    status: str = Field(default="open", max_length=10)  # open | done
    created_at: datetime = _utc()
    done_at: datetime | None = _utc(default=None)


class AlertGroup(SQLModel, table=True):
    """All alerts of one fingerprint while they belong to one issue.

    The partial unique index allows one open group per fingerprint: two
    concurrent first alerts cannot both open an issue, whatever the replica.
    """

    __tablename__ = "alert_groups"
    __table_args__ = (
        Index(
            "uq_alert_group_open",
            "fingerprint",
            unique=True,
            sqlite_where=text("is_open"),
            postgresql_where=text("is_open"),
        ),
        Index("ix_alert_groups_issue", "issue_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    fingerprint: str = Field(max_length=200)
    source: str = Field(max_length=20)
    route: str | None = Field(default=None, max_length=60)
    issue_id: int | None = Field(default=None, foreign_key="issues.id")
    status: str = Field(default="firing", max_length=10)  # firing | resolved
    is_open: bool = True
    title: str = Field(max_length=300)
    labels: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    links: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    occurrences: int = 0
    first_seen: datetime = _utc()
    last_seen: datetime = _utc()
    resolved_at: datetime | None = _utc(default=None)


class AlertEvent(SQLModel, table=True):
    """One received alert notification (for thresholds: N firing within M minutes)."""

    __tablename__ = "alert_events"
    __table_args__ = (Index("ix_alert_events_group_at", "group_id", "received_at"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(foreign_key="alert_groups.id")
    status: str = Field(max_length=10)
    received_at: datetime = _utc()


class Deploy(SQLModel, table=True):
    __tablename__ = "deploys"
    __table_args__ = (
        UniqueConstraint("service", "version", "environment", name="uq_deploy"),
        Index("ix_deploys_service_at", "service", "deployed_at"),
        # Deploys per week and change failure rate read the deploys of a period.
        Index("ix_deploys_at", "deployed_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    service: str = Field(max_length=80)
    version: str = Field(max_length=80)
    environment: str = Field(default="production", max_length=40)
    deployed_at: datetime = _utc()
    link: str | None = Field(default=None, max_length=500)
    fixes: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    received_at: datetime = _utc()


class IssueMetrics(SQLModel, table=True):
    """Per-issue figures, written when the issue changes: insights read these and
    the issue's columns, never the timeline (which grows without bound).

    `seconds_<status>` holds the finished spans; the span still running starts
    at `status_since`. `suspect_deploy_id` is the newest deploy to the issue's
    service within `deploy_window` before filing: the change that may have failed.
    """

    __tablename__ = "issue_metrics"
    __table_args__ = (Index("ix_issue_metrics_deploy", "suspect_deploy_id"),)

    issue_id: int = Field(foreign_key="issues.id", primary_key=True)
    status_since: datetime = _utc()
    seconds_new: float = 0.0
    seconds_assigned: float = 0.0
    seconds_revise: float = 0.0
    seconds_retest: float = 0.0
    seconds_fixed: float = 0.0
    reopens: int = 0
    retest_revise_loops: int = 0
    suspect_deploy_id: int | None = Field(default=None, foreign_key="deploys.id")


class PageSent(SQLModel, table=True):
    """One page, as on-call load counts it: who was paged, through which schedule,
    and in which part of the day in that schedule's time zone (fixed when sent)."""

    __tablename__ = "pages_sent"
    __table_args__ = (Index("ix_pages_sent_at", "at"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int | None = Field(default=None, foreign_key="issues.id")
    target_kind: str = Field(max_length=12)  # user | usergroup | channel | pagerduty | opsgenie
    target: str = Field(max_length=80)
    user_id: str | None = Field(default=None, max_length=32)  # when one person was paged
    schedule: str | None = Field(default=None, max_length=40)
    at: datetime = _utc()
    hours: str = Field(max_length=8)  # business | off | sleep


class FeedMessage(SQLModel, table=True):
    """An issue's message in the central feed channel, edited as the issue changes."""

    __tablename__ = "feed_messages"

    issue_id: int = Field(foreign_key="issues.id", primary_key=True)
    channel_id: str = Field(max_length=32)
    ts: str = Field(max_length=32)


class DuplicateSuggestion(SQLModel, table=True):
    """A likely duplicate found when a report was filed, and what became of it: shown,
    dismissed ("not a duplicate", remembered) or merged."""

    __tablename__ = "duplicate_suggestions"
    __table_args__ = (UniqueConstraint("issue_id", "candidate_id", name="uq_duplicate_pair"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")  # the new report
    candidate_id: int = Field(foreign_key="issues.id")  # the issue it looks like
    score: float
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    state: str = Field(default="shown", max_length=10)  # shown | dismissed | merged
    created_at: datetime = _utc()
    decided_by: str | None = Field(default=None, max_length=32)


class IssueLink(SQLModel, table=True):
    """Two related issues (`/incident link`), stored once with the lower id first."""

    __tablename__ = "issue_links"
    __table_args__ = (UniqueConstraint("first_id", "second_id", name="uq_issue_link"),)

    id: int | None = Field(default=None, primary_key=True)
    first_id: int = Field(foreign_key="issues.id")
    second_id: int = Field(foreign_key="issues.id")
    created_by: str = Field(max_length=32)
    created_at: datetime = _utc()
