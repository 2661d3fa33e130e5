"""Enqueue the Slack side effects of a change, in the change's own transaction."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlmodel import Session, select

from bot.core import outbox
from bot.core.clock import Clock
from storage.models import Issue, OutboxItem


def issue_stream(issue_id: int) -> str:
    return f"issue:{issue_id}"


def enqueue(session: Session, clock: Clock, issue: Issue, kind: str, /, **payload: Any) -> None:
    assert issue.id is not None
    outbox.enqueue(
        session,
        clock,
        stream=issue_stream(issue.id),
        kind=kind,
        issue_id=issue.id,
        payload=payload,
    )


def refresh_card(session: Session, clock: Clock, issue: Issue) -> None:
    enqueue(session, clock, issue, "update_card")


def announce(session: Session, clock: Clock, issue: Issue, text: str) -> None:
    """A message in the issue channel that everyone there should see."""
    enqueue(session, clock, issue, "announce", text=text)


def tell_reporter(session: Session, clock: Clock, issue: Issue, **payload: Any) -> None:
    """A DM to the reporter (skipped at delivery if they turned updates off)."""
    enqueue(session, clock, issue, "dm_reporter_update", **payload)


def post_checklist(session: Session, clock: Clock, issue: Issue, phase: str) -> None:
    enqueue(session, clock, issue, "post_checklist", phase=phase)


def refresh_checklist(session: Session, clock: Clock, issue: Issue, phase: str) -> None:
    enqueue(session, clock, issue, "update_checklist", phase=phase)


def invite(session: Session, clock: Clock, issue: Issue, user_id: str) -> None:
    enqueue(session, clock, issue, "invite", user_id=user_id)


def refresh_card_later(session: Session, clock: Clock, issue: Issue, gap: timedelta) -> None:
    """Edit the card once `gap` from now, unless an edit is already waiting: in an alert
    storm the card changes at most every few seconds, far below Slack's rate limits."""
    waiting = session.exec(
        select(OutboxItem.id).where(
            OutboxItem.issue_id == issue.id,
            OutboxItem.kind == "update_card",
            OutboxItem.status == "pending",
        )
    ).first()
    if waiting is not None:
        return
    assert issue.id is not None
    # A stream of its own: a card edit waiting out its gap must not hold back the
    # issue's other messages.
    item = outbox.enqueue(
        session, clock, stream=f"card:{issue.id}", kind="update_card", issue_id=issue.id
    )
    item.next_attempt_at = clock.now() + gap
