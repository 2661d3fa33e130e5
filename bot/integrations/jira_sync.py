"""The Jira integration's service: a Jira issue asked for by hand, and a Jira status
change (its webhook) applied to the Firebell issue through the lifecycle."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import select

from bot.core.clock import Clock
from bot.core.domain import Status, label
from bot.core.errors import FirebellError
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.lifecycle import Lifecycle
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_followups import JiraFollowUps
from bot.integrations.jira_hooks import FROM_JIRA
from bot.integrations.jira_kinds import CreateJiraIssue, JiraEvent, create_pending, send
from bot.integrations.jira_records import jira_row
from storage.db import Database
from storage.models import Issue, JiraIssue

# Who a change made in Jira is recorded as (bot/core/reporters.py names it "Jira").
JIRA_ACTOR = Actor("jira", is_admin=True)


@dataclass(frozen=True)
class StatusNews:
    """A Jira issue moved from one status to another (a webhook's changelog item)."""

    jira_key: str
    before: str
    after: str


class JiraSync:
    def __init__(
        self, db: Database, clock: Clock, config: JiraConfig | None, lifecycle: Lifecycle
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.lifecycle = lifecycle
        self.followups = JiraFollowUps(db, clock, config)  # review follow-ups as Jira issues

    def request(self, issue_id: int, user_id: str, project: str | None) -> str:
        """`/incident jira [PROJECT]`: what the person is told."""
        if self.config is None:
            raise FirebellError("Jira is not set up: add a `jira` section to firebell.yml.")
        project = (project or self.config.project).upper()
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            row = jira_row(session, issue_id)
            if row is not None:
                return f"{issue.key} already has a Jira issue: <{row.url}|{row.jira_key}>."
            if create_pending(session, issue):
                return f"{issue.key}'s Jira issue is on its way; its key will show on the card."
            send(session, self.clock, issue, CreateJiraIssue(project, user_id))
            return (
                f"Creating a Jira issue in {project} for {issue.key}; "
                "its key will show on the card."
            )

    def status_changed(self, news: StatusNews) -> str:
        """Follow a Jira status change; returns what was done (for the webhook's answer)."""
        assert self.config is not None
        with self.db.session() as session:
            row = session.exec(select(JiraIssue).where(JiraIssue.jira_key == news.jira_key)).first()
            if row is None:
                return "not a Firebell issue"
            if row.sent_status and row.sent_status.casefold() == news.after.casefold():
                # Firebell's own move coming back: it changes nothing.
                row.sent_status = None
                session.add(row)
                return "Firebell's own change"
            issue = session.get(Issue, row.issue_id)
            assert issue is not None
            issue_id, current = issue.id or 0, Status(issue.status)
        target = self.config.status_for(news.after)
        if target is None:
            return "status not mapped (jira.statuses)"
        if target == current:
            return "already there"
        token = FROM_JIRA.set(True)  # this change is Jira's: it is not sent back
        try:
            self.lifecycle.move_status(issue_id, JIRA_ACTOR, target)
        except FirebellError as refused:
            self._not_followed(issue_id, news, target, str(refused))
            return "not followed"
        finally:
            FROM_JIRA.reset(token)
        return f"moved to {label(target)}"

    def _not_followed(self, issue_id: int, news: StatusNews, target: Status, reason: str) -> None:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            event = add_event(
                session, issue, JiraEvent.JIRA_NOT_FOLLOWED, self.clock, None,
                jira_key=news.jira_key, jira_status=news.after, target=target.value,
                reason=reason + " Move it here by hand, or change jira.statuses.",
            )  # fmt: skip
            incident_kinds.announce(session, self.clock, issue, event)
