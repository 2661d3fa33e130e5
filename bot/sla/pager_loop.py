"""Closing the loop with the pagers: a PagerDuty or Opsgenie page is acknowledged
when the issue is, and resolved (closed) when it is Fixed or Closed, or PagerDuty
and Opsgenie go on escalating on their own.

Only the pagers that were paged about this issue hear of it. They are read from
the issue's own page items in the outbox: the page log (`pages_sent`) keeps a
pager as its kind only, since its key is a secret, and leaves drills out, while
the page item holds the key it was sent with. A follow-up is queued on the
issue's stream, so it is delivered after the page it follows, and keyed on the
ledger by that page, so each pager hears each action once per page: Fixed then
Closed resolves once; a reopened issue paged again is acknowledged and resolved
again.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import enqueue, issue_stream
from bot.core.domain import Status
from bot.core.ledger import record_once
from bot.incidents.hooks import IssueHooks
from bot.sla.kinds import PagerAction, PagerFollowUp, SlaKind
from bot.sla.targets import TargetKind
from storage.models import Issue, Notification, OutboxItem

PAGERS = (TargetKind.PAGERDUTY.value, TargetKind.OPSGENIE.value)
OVER = (Status.FIXED.value, Status.CLOSED.value)


def triggered_pagers(session: Session, issue: Issue) -> dict[tuple[str, str], int]:
    """Each pager paged about the issue, (kind, key), with its latest page item's id.
    A page refused for good (dead) triggered nothing; one still pending goes first."""
    assert issue.id is not None
    rows = session.exec(
        select(OutboxItem)
        .where(
            # By the pending index (status, stream, id), not a scan of every issue's items.
            col(OutboxItem.status).in_(["pending", "done"]),
            OutboxItem.stream == issue_stream(issue.id),
            OutboxItem.kind == SlaKind.PAGE.value,
        )
        .order_by(col(OutboxItem.id))
    )
    found: dict[tuple[str, str], int] = {}
    for row in rows:
        target, key = row.payload.get("target"), row.payload.get("id")
        if target in PAGERS and key and row.id is not None:
            found[(target, key)] = row.id
    return found


def _ledger_key(page_item: int, action: PagerAction) -> str:
    return f"pager:{page_item}:{action.value}"


def follow_up(
    session: Session, clock: Clock, issue: Issue, action: PagerAction, at: datetime
) -> int:
    """Queue the action for every pager paged about the issue; returns how many."""
    assert issue.id is not None
    queued = 0
    for (target, key), page_item in triggered_pagers(session, issue).items():
        if action == PagerAction.ACKNOWLEDGE and _already(
            session, _ledger_key(page_item, PagerAction.RESOLVE)
        ):
            continue  # resolved first (closed unacknowledged, then reopened): nothing to take
        ledger_key = _ledger_key(page_item, action)
        if not record_once(session, ledger_key, issue.id, f"pager_{action.value}", at):
            continue
        enqueue(session, clock, PagerFollowUp(target, key, action.value), issue=issue)
        queued += 1
    return queued


def heard_from(
    session: Session, issue: Issue, target: str, action: PagerAction, at: datetime
) -> int:
    """The pager itself said the issue's alert is acknowledged or resolved there (its own
    webhook): it is marked told on the ledger, so the lifecycle's follow-up never echoes
    the action back to it (no loop). Other pagers still hear of it. Returns the pages."""
    assert issue.id is not None
    pages = 0
    for (kind, _key), page_item in triggered_pagers(session, issue).items():
        if kind == target:
            record_once(
                session, _ledger_key(page_item, action), issue.id, f"pager_{action.value}", at
            )
            pages += 1
    return pages


def _already(session: Session, key: str) -> bool:
    return session.exec(select(Notification.id).where(Notification.key == key)).first() is not None


class ClosePagerLoop(IssueHooks):
    """Acknowledged in Firebell: acknowledged in the pager. Fixed or Closed: resolved."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        follow_up(session, self.clock, issue, PagerAction.ACKNOWLEDGE, at)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        if issue.status in OVER:
            follow_up(session, self.clock, issue, PagerAction.RESOLVE, at)
