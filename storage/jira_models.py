"""The Jira issue each Firebell issue has, if any, and each exported follow-up's
(bot/integrations/jira_*.py).

Created by Alembic migrations only; `storage.models` names every table."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from storage.types import utc_field as _utc


class JiraIssue(SQLModel, table=True):
    """One Firebell issue's Jira issue: its key, where it is, and the last status Firebell
    itself moved it to (so the webhook that echoes that move changes nothing)."""

    __tablename__ = "jira_issues"
    __table_args__ = (
        # One Jira issue per Firebell issue, and one Firebell issue per Jira issue.
        UniqueConstraint("issue_id", name="uq_jira_issues_issue"),
        UniqueConstraint("jira_key", name="uq_jira_issues_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    issue_id: int = Field(foreign_key="issues.id")
    jira_key: str = Field(max_length=40)
    jira_id: str = Field(max_length=40)
    project: str = Field(max_length=20)
    url: str = Field(max_length=500)  # the issue's page: <site>/browse/<key>
    created_at: datetime = _utc()
    # The Jira status Firebell's last transition moved it to, until Jira's webhook about
    # that move comes back (and is then ignored).
    sent_status: str | None = Field(default=None, max_length=255)


class JiraFollowUp(SQLModel, table=True):
    """A review follow-up exported to Jira (`/incident jira followups`): its Jira issue,
    and the parent's Jira key once the link to it is made (None: created, not linked yet)."""

    __tablename__ = "jira_followups"
    __table_args__ = (
        # One Jira issue per follow-up, and one follow-up per Jira issue.
        UniqueConstraint("followup_id", name="uq_jira_followups_followup"),
        UniqueConstraint("jira_key", name="uq_jira_followups_key"),
    )

    id: int | None = Field(default=None, primary_key=True)
    followup_id: int = Field(foreign_key="followups.id")
    jira_key: str = Field(max_length=40)
    jira_id: str = Field(max_length=40)
    url: str = Field(max_length=500)  # the issue's page: <site>/browse/<key>
    created_at: datetime = _utc()
    linked_to: str | None = Field(default=None, max_length=40)
