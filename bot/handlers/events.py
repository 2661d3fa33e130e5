"""Events API: mentions, 📌 reactions that pin a message to an issue's timeline, and
people joining or leaving an issue's channel (its members: bot/core/membership.py).

Slack delivers events at least once; each is acted on once (by event_id).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.slack_events import first_delivery
from bot.handlers.commands import CommandTable
from bot.handlers.help import help_text
from bot.handlers.listener import Reply
from bot.incidents.pins import pin_from_reaction
from bot.incidents.queries import issue_in_channel
from bot.incidents.roles import channel_joined, channel_left
from bot.serving.runtime import Runtime

PIN_REACTIONS = {"pushpin", "round_pushpin"}


def answer_mentions(commands: CommandTable) -> Callable[..., Awaitable[Reply]]:
    """A mention of the bot is answered with the help, in a thread."""
    text = help_text(commands)

    async def mention(
        runtime: Runtime, client: AsyncWebClient, event: dict[str, Any], event_id: str
    ) -> Reply:
        if not first_delivery(runtime.db, runtime.clock, event_id):
            return None
        thread = event.get("thread_ts") or event["ts"]
        await client.chat_postMessage(channel=event["channel"], thread_ts=thread, text=text)
        return None

    return mention


async def reaction(
    runtime: Runtime, client: AsyncWebClient, event: dict[str, Any], event_id: str
) -> Reply:
    item = event.get("item") or {}
    if event.get("reaction") not in PIN_REACTIONS or item.get("type") != "message":
        return None
    issue = issue_in_channel(runtime.db, item.get("channel", ""))
    if issue is None or not first_delivery(runtime.db, runtime.clock, event_id):
        return None
    await pin_from_reaction(runtime.db, runtime.clock, client, issue, item["ts"], event["user"])
    return None


def _is_the_bot(body: dict[str, Any], user_id: str) -> bool:
    """Firebell itself joining a channel it made is no member of the issue."""
    return any(a.get("user_id") == user_id for a in body.get("authorizations") or [])


async def member_joined(
    runtime: Runtime, body: dict[str, Any], event: dict[str, Any], event_id: str
) -> Reply:
    # Once per event: a join redelivered after the leave that followed it must not re-add.
    if _is_the_bot(body, event["user"]) or not first_delivery(runtime.db, runtime.clock, event_id):
        return None
    channel_joined(runtime.db, runtime.clock, str(event.get("channel", "")), event["user"])
    return None


async def member_left(runtime: Runtime, event: dict[str, Any], event_id: str) -> Reply:
    if not first_delivery(runtime.db, runtime.clock, event_id):
        return None
    channel_left(runtime.db, str(event.get("channel", "")), event["user"])
    return None


def listeners(commands: CommandTable) -> dict[str, Callable[..., Awaitable[Reply]]]:
    return {
        "app_mention": answer_mentions(commands),
        "reaction_added": reaction,
        "member_joined_channel": member_joined,
        "member_left_channel": member_left,
    }
