"""Who is acting: a person, and whether they are an admin (people or user groups,
read from Slack). Who is in an issue and who may see it: bot/core/membership.py.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.slack_steps import slack_error

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
