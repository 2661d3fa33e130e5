"""Who is acting and what they may see: admin groups and private channels need Slack."""

from __future__ import annotations

import logging
from datetime import timedelta

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import FirebellError
from bot.incidents.rules import Actor
from bot.runtime import Runtime
from storage.models import Issue

log = logging.getLogger(__name__)

GROUP_CACHE = timedelta(minutes=5)


async def actor_for(runtime: Runtime, client: AsyncWebClient, user_id: str) -> Actor:
    admins = runtime.config.admins
    if user_id in admins:
        return Actor(user_id, is_admin=True)
    for group in (a for a in admins if a.startswith("S")):
        if user_id in await _group_members(runtime, client, group):
            return Actor(user_id, is_admin=True)
    return Actor(user_id)


async def _group_members(runtime: Runtime, client: AsyncWebClient, group: str) -> set[str]:
    now = runtime.clock.now()
    cached = runtime.group_cache.get(group)
    if cached and now - cached[0] < GROUP_CACHE:
        return cached[1]
    try:
        response = await client.usergroups_users_list(usergroup=group)
        members = set(response.get("users") or [])
    except SlackApiError as exc:
        log.warning("cannot read admin group %s: %s", group, exc.response.get("error"))
        members = cached[1] if cached else set()
    runtime.group_cache[group] = (now, members)
    return members


async def can_see(client: AsyncWebClient, issue: Issue, user_id: str) -> bool:
    """Public issues are open to everyone; a private one to its channel's members."""
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
