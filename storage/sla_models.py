"""Tables of the SLA slice's work: clocks, escalations, the pages sent, on-call overrides.

Created by Alembic migrations only; `storage.models` names every table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _utc


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
    # Why its pages are sent, for the page's own words: started at filing because of
    # the severity (`start: on_open`), and who asked for the next step now (cleared
    # once that step has paged).
    on_open: bool = False
    forced_by: str | None = Field(default=None, max_length=32)


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


class PageDm(SQLModel, table=True):
    """A page posted to one person's DMs, kept so that it can be edited once someone
    has taken the issue (acknowledged, fixed or closed): `settled_at` says it was."""

    __tablename__ = "page_dms"
    __table_args__ = (Index("ix_page_dms_issue", "issue_id"),)

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    user_id: str = Field(max_length=32)
    channel_id: str = Field(max_length=32)  # the DM's conversation id (D…)
    ts: str = Field(max_length=32)
    posted_at: datetime = _utc()
    settled_at: datetime | None = _utc(default=None)
