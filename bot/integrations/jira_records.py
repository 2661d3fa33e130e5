"""What the Jira steps share: the issue's Jira issue row, whether an attempt may follow
one Jira saw, Jira's failures as outbox errors, and a refusal said in the channel."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.attempts import CURRENT_ATTEMPT
from bot.core.clock import Clock
from bot.core.outbox import DeliveryError
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.integrations.jira_client import JiraFailed
from bot.integrations.jira_kinds import JiraEvent
from storage.db import Database
from storage.models import Issue, JiraIssue


def jira_row(session: Session, issue_id: int | None) -> JiraIssue | None:
    return session.exec(select(JiraIssue).where(JiraIssue.issue_id == issue_id)).first()


def retrying() -> bool:
    """An earlier attempt of this outbox item may have reached Jira."""
    attempt = CURRENT_ATTEMPT.get()
    return attempt is not None and attempt.retry


def transient(failed: JiraFailed) -> DeliveryError:
    return DeliveryError(str(failed), retry_after=failed.retry_after)


def refuse(
    db: Database, clock: Clock, issue_id: int | None, action: str, problem: str, fix: str
) -> None:
    """Jira's refusal, on the timeline and said in the issue's channel (not retried)."""
    with db.session() as session:
        issue = session.get(Issue, issue_id)
        if issue is None:
            return
        event = add_event(
            session, issue, JiraEvent.JIRA_REFUSED, clock, None,
            action=action, problem=problem, fix=fix,
        )  # fmt: skip
        incident_kinds.announce(session, clock, issue, event)
