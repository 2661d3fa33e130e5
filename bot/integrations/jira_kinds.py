"""The Jira integration's outbox kinds and payloads, and its timeline kinds with their words.

Jira work has a stream of its own per issue (`jira:<issue id>`): a Jira outage holds back
only Jira's items, never the issue's Slack messages, and the issue's Jira items keep
their order (create before any move)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue
from bot.core.timeline import EventKind
from storage.models import Issue, OutboxItem

AUTO = "jira.auto"


class JiraKind(StrEnum):
    CREATE = "jira_create"
    MOVE = "jira_move"
    FOLLOWUP = "jira_followup"


@dataclass(frozen=True)
class CreateJiraIssue(Payload):
    """Create the issue's Jira issue in `project`, once as Jira sees it."""

    kind: ClassVar = JiraKind.CREATE
    project: str
    why: str  # AUTO (the rule), or the Slack user id of who asked


@dataclass(frozen=True)
class MoveJiraIssue(Payload):
    """Move the Jira issue through the transition configured for Firebell's `status`
    (skipped if the issue has moved on by delivery: the newer status has its own item)."""

    kind: ClassVar = JiraKind.MOVE
    status: str


@dataclass(frozen=True)
class ExportFollowUp(Payload):
    """Create a Jira issue for a review follow-up and link it to the parent's Jira issue,
    once as Jira sees it (after the parent's create: the same stream keeps the order)."""

    kind: ClassVar = JiraKind.FOLLOWUP
    followup_id: int
    why: str  # the Slack user id of who asked


class JiraEvent(EventKind):
    JIRA_CREATED = (
        "jira_created",
        "Jira issue {jira_key} created in {project}{from_author}{rule}",
    )
    JIRA_MOVED = "jira_moved", "Jira issue {jira_key} moved to {jira_status} ({transition})"
    JIRA_FOLLOWUP = (
        "jira_followup",
        "Follow-up “{title}” is Jira issue {jira_key}, linked to {parent} ({link})",
    )
    JIRA_REFUSED = "jira_refused", "Jira refused to {action}: {problem} {fix}"
    JIRA_NOT_FOLLOWED = (
        "jira_not_followed",
        "Jira issue {jira_key} went to {jira_status} (→ {target} here); {reason}",
    )


def stream(issue: Issue) -> str:
    return f"jira:{issue.id}"


def send(session: Session, clock: Clock, issue: Issue, payload: Payload) -> None:
    enqueue(session, clock, payload, issue=issue, stream=stream(issue))


def pending(session: Session, issue: Issue, kind: JiraKind) -> list[OutboxItem]:
    return list(
        session.exec(
            select(OutboxItem).where(
                OutboxItem.issue_id == issue.id,
                OutboxItem.kind == kind.value,
                col(OutboxItem.status) == "pending",
            )
        )
    )


def create_pending(session: Session, issue: Issue) -> bool:
    return bool(pending(session, issue, JiraKind.CREATE))
