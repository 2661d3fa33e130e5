"""Enqueue the Slack side effects of a change, in the change's own transaction."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.clock import Clock
from bot.services import outbox
from storage.models import Issue


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
