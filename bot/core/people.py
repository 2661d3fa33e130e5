"""Who is acting and who may see an issue: admins (people or user groups) and
the members of a private issue's channel, both read from Slack.

Private issues are seen only by their members, on every surface, so every
surface asks here.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.core.slack_steps import slack_error
from storage.models import Issue

log = logging.getLogger(__name__)

GROUP_CACHE = timedelta(minutes=5)


@dataclass(frozen=True)
class Actor:
    """The person doing something, and whether they may steer any issue."""

    user_id: str
    is_admin: bool = False


@dataclass
class People:
    admins: list[str]  # user ids (U…) and user-group ids (S…)
    clock: Clock
    # Admin user groups' members, with when they were read.
    _groups: dict[str, tuple[datetime, set[str]]] = field(default_factory=dict)

    async def actor(self, client: AsyncWebClient, user_id: str) -> Actor:
        if user_id in self.admins:
            return Actor(user_id, is_admin=True)
        for group in (a for a in self.admins if a.startswith("S")):
            if user_id in await self._group_members(client, group):
                return Actor(user_id, is_admin=True)
        return Actor(user_id)

    async def _group_members(self, client: AsyncWebClient, group: str) -> set[str]:
        now = self.clock.now()
        cached = self._groups.get(group)
        if cached and now - cached[0] < GROUP_CACHE:
            return cached[1]
        try:
            response = await client.usergroups_users_list(usergroup=group)
            members = set(response.get("users") or [])
        except SlackApiError as exc:
            log.warning("cannot read admin group %s: %s", group, slack_error(exc))
            members = cached[1] if cached else set()
        self._groups[group] = (now, members)
        return members


@dataclass(frozen=True)
class Visible:
    """What one audience may see of a list of issues: the issues, and how many private
    ones were left out (shown only as a count)."""

    shown: list[Issue]
    private_hidden: int = 0

    def note(self) -> str | None:
        """ "1 private issue" for the hidden ones, or None when none is hidden."""
        n = self.private_hidden
        if not n:
            return None
        if n == 1:
            return "1 private issue, seen only by its members"
        return f"{n} private issues, seen only by their members"


async def visible_to(client: AsyncWebClient, issues: list[Issue], user_id: str) -> Visible:
    """The issues one person may see; the rest count as private ones left out."""
    shown = [issue for issue in issues if await can_see(client, issue, user_id)]
    return Visible(shown, len(issues) - len(shown))


def visible_to_a_channel(issues: list[Issue]) -> Visible:
    """What a message to a channel may show: a channel is not an issue's member list,
    so private issues appear only as a count there."""
    shown = [issue for issue in issues if not issue.private]
    return Visible(shown, len(issues) - len(shown))


async def can_see(client: AsyncWebClient, issue: Issue, user_id: str) -> bool:
    """The one rule: public issues are open to everyone; a private one to its reporter,
    its leads and its channel's members."""
    if not issue.private or user_id in {issue.reporter_id, issue.commander_id, issue.assignee_id}:
        return True
    if not issue.channel_id:
        return False
    try:
        response = await client.conversations_members(channel=issue.channel_id, limit=1000)
    except SlackApiError:
        return False
    return user_id in (response.get("members") or [])


async def require_can_see(client: AsyncWebClient, issue: Issue, user_id: str) -> None:
    if not await can_see(client, issue, user_id):
        raise FirebellError(f"{issue.key} is private: only the members of its channel can see it.")
