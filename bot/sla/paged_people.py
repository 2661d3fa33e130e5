"""Everyone paged is let into the issue's channel, private channels included, so the
page's "Open channel" leads somewhere they can enter.

A person paged (by an escalation step or by hand) is invited when the page is
decided: the invite goes on the issue's stream before the page, so the DM arrives
after it. A user group's members are only known from Slack (usergroups.users.list),
so its page's delivery reads them and invites them before it posts the mention.
Either way they become members (core/membership.py) and the timeline says so once.
"""

from __future__ import annotations

import logging

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.membership import Known, members_of, record_joined
from bot.core.slack_steps import TRANSIENT_ERRORS, slack_error
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.sla.batch import Batch
from bot.sla.event_kinds import SlaEvent
from storage.db import Database
from storage.models import Issue

log = logging.getLogger(__name__)


def not_yet_members(
    session: Session, issue: Issue, user_ids: list[str], known: Known | None = None
) -> list[str]:
    members = members_of(session, issue, known)
    return [user for user in dict.fromkeys(user_ids) if user not in members]


def _on_timeline(session: Session, clock: Clock, issue: Issue, new: list[str], via: str) -> None:
    if new:
        whom = ", ".join(f"<@{user}>" for user in new) + via
        add_event(session, issue, SlaEvent.PAGED_INVITED, clock, None, whom=whom)


def invite_paged_person(
    session: Session, clock: Clock, issue: Issue, user_id: str, batch: Batch | None = None
) -> None:
    """In the page's own transaction, before the page is enqueued (`batch`: the engine's
    sweep, which read the issue's participant rows and writes the rows in bulk)."""
    if batch is None:
        new = not_yet_members(session, issue, [user_id])
        incident_kinds.invite(session, clock, issue, user_id)  # again is harmless
        _on_timeline(session, clock, issue, new, "")
        return
    new = not_yet_members(session, issue, [user_id], batch.participants)
    record_joined(session, issue, user_id, clock.now(), batch.participants, batch.joined)
    batch.send(issue, incident_kinds.Invite(user_id))
    if new:
        batch.events.add(session, issue, SlaEvent.PAGED_INVITED, clock, None, whom=f"<@{user_id}>")


async def group_members(client: AsyncWebClient, group_id: str) -> list[str]:
    """The user group's members; none when Slack will not say (the page still goes)."""
    try:
        answer = await client.usergroups_users_list(usergroup=group_id)
    except SlackApiError as exc:
        log.warning("cannot read the members of %s: %s", group_id, slack_error(exc))
        return []
    return [str(user) for user in answer.get("users") or []]


async def invite_group(
    db: Database, clock: Clock, client: AsyncWebClient, issue: Issue, group_id: str, me: str | None
) -> None:
    """At the group page's delivery: invite its members who are not in yet, then record
    them. A retry finds them recorded, so the timeline says it once."""
    assert issue.channel_id is not None
    members = [user for user in await group_members(client, group_id) if user != me]
    new = await db.run(_not_yet_members, db, issue, members)
    invited = []
    for user in new:
        try:
            await client.conversations_invite(channel=issue.channel_id, users=user)
        except SlackApiError as exc:
            code = slack_error(exc)
            if code in TRANSIENT_ERRORS:
                raise
            if code != "already_in_channel":  # a deactivated account, a guest: skip them
                log.warning("cannot invite %s into %s: %s", user, issue.key, code)
                continue
        invited.append(user)
    await db.run(_record_invited, db, clock, issue, invited, group_id)


def _not_yet_members(db: Database, issue: Issue, members: list[str]) -> list[str]:
    with db.session() as session:
        return not_yet_members(session, issue, members)


def _record_invited(
    db: Database, clock: Clock, issue: Issue, invited: list[str], group_id: str
) -> None:
    with db.session() as session:
        row = session.get(Issue, issue.id)
        assert row is not None
        for user in invited:
            record_joined(session, row, user, clock.now())
        _on_timeline(session, clock, row, invited, f" (of <!subteam^{group_id}>)")
