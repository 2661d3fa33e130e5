"""What Jira hears of an issue's life: a Jira issue at filing for the `jira.auto`
severities, and each status change that has a configured transition.

A change that came from Jira (its webhook, bot/integrations/jira_sync.py) is never sent
back: the sync sets FROM_JIRA around its lifecycle call, in the same thread."""

from __future__ import annotations

from contextvars import ContextVar
from datetime import datetime

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.domain import Severity, Status
from bot.incidents.hooks import IssueHooks
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_kinds import AUTO, CreateJiraIssue, MoveJiraIssue, create_pending, send
from bot.integrations.jira_records import jira_row
from storage.models import Issue

FROM_JIRA: ContextVar[bool] = ContextVar("firebell_from_jira", default=False)


class JiraHooks(IssueHooks):
    def __init__(self, config: JiraConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock

    def on_filed(self, session: Session, issue: Issue) -> None:
        # A private issue never goes to Jira by rule: its title is for its members only.
        if Severity(issue.severity) in self.config.auto and not issue.private:
            send(session, self.clock, issue, CreateJiraIssue(self.config.project, AUTO))

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        if FROM_JIRA.get() or Status(issue.status) not in self.config.transitions:
            return
        if jira_row(session, issue.id) is not None or create_pending(session, issue):
            send(session, self.clock, issue, MoveJiraIssue(issue.status))
