"""Who leads and helps on an issue: the participants table and its timeline events, and
the issue channel's joins and leaves kept there (the rule: bot/core/membership.py)."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.membership import add_participant, record_joined, record_left
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.event_kinds import IncidentEvent
from bot.playbooks.model import Role
from storage.db import Database
from storage.models import Issue, Participant, TimelineEvent


def set_lead(
    session: Session, clock: Clock, issue: Issue, role: Role, user_id: str, actor: Actor
) -> TimelineEvent:
    """Give one person a role (replacing whoever had it), record it, invite them."""
    if role == Role.ASSIGNEE:
        issue.assignee_id = user_id
    elif role == Role.COMMANDER:
        issue.commander_id = user_id
    for row in session.exec(
        select(Participant).where(Participant.issue_id == issue.id, Participant.role == role.value)
    ):
        session.delete(row)
    add_participant(session, issue, user_id, role.value, clock.now())
    event = add_event(
        session,
        issue,
        IncidentEvent.ROLE_SET,
        clock,
        actor.user_id,
        role=role.value,
        user_id=user_id,
    )
    kinds.invite(session, clock, issue, user_id)
    return event


def channel_joined(db: Database, clock: Clock, channel_id: str, user_id: str) -> None:
    """Someone joined an issue's channel (Slack's member_joined_channel): a member now."""
    with db.session() as session:
        issue = session.exec(select(Issue).where(Issue.channel_id == channel_id)).first()
        if issue is not None:
            record_joined(session, issue, user_id, clock.now())


def channel_left(db: Database, channel_id: str, user_id: str) -> None:
    """Someone left an issue's channel: a member still only by a role they hold."""
    with db.session() as session:
        issue = session.exec(select(Issue).where(Issue.channel_id == channel_id)).first()
        if issue is not None:
            record_left(session, issue, user_id)
