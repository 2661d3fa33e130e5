"""Tables of what the peer slices keep about issues: reviews and follow-ups, alerts and
deploys, rollups, feed messages, duplicate suggestions and links.

Created by Alembic migrations only; `storage.models` names every table."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, LargeBinary, UniqueConstraint, text
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _utc


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
    __table_args__ = (
        Index("ix_followups_open_due", "status", "due_on"),
        # The figures read the follow-ups created in a period.
        Index("ix_followups_created", "created_at"),
    )

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
    # The gate's confidence when shown (best score plus its lead over the second): what
    # `firebell triage tune` tunes the threshold on. None on rows stored before 0017.
    confidence: float | None = None
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


class TriageSetting(SQLModel, table=True):
    """A triage value tuned on this installation's own answers (`firebell triage tune
    --apply`), by name, e.g. "duplicate_threshold"; absent: the shipped default."""

    __tablename__ = "triage_settings"

    name: str = Field(primary_key=True, max_length=40)
    value: float
    updated_at: datetime = _utc()


class IssueVector(SQLModel, table=True):
    """An issue's title as the duplicate finder's multilingual model reads it
    (bot/triage/semantic.py): 384 float16 numbers, 768 bytes. Written when the finder
    runs for the issue; issues filed before 0018 have none and are found by their words."""

    __tablename__ = "issue_vectors"

    issue_id: int = Field(foreign_key="issues.id", primary_key=True)
    model: str = Field(max_length=60)  # which model wrote it: another one's is not compared
    vector: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class IssueTerms(SQLModel, table=True):
    """An issue's words as the duplicate finder weighs them (`similarity.words`: the
    title's, the description's, stack frames, exception names, the service), written
    with its search document: a candidate's bag is read, not its text tokenised again at
    each report. `version` says how they were counted; another version's are counted
    again when read (bot/triage/terms.py)."""

    __tablename__ = "issue_terms"

    issue_id: int = Field(foreign_key="issues.id", primary_key=True)
    version: int
    terms: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
