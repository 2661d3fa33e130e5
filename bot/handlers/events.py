"""Events API: mentions, 📌 reactions that pin a message to an issue's timeline, and
people joining or leaving an issue's channel (its members: bot/core/membership.py).

Slack delivers events at least once; each is acted on once (by event_id).
Every field of an event is read defensively (`_field`), as button values are
(handlers/carried.py): an event without what it needs is ignored, stores nothing and
logs no traceback.
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
MAX_FIELD = 255  # Slack ids and timestamps are far shorter


def _field(data: object, name: str) -> str | None:
    """A short text field of an event (an id, a timestamp, a name); None when it is
    missing or anything else."""
    value = data.get(name) if isinstance(data, dict) else None
    if isinstance(value, str) and 0 < len(value) <= MAX_FIELD:
        return value
    return None


def answer_mentions(commands: CommandTable) -> Callable[..., Awaitable[Reply]]:
    """A mention of the bot is answered with the help, in a thread."""
    text = help_text(commands)

    async def mention(
        runtime: Runtime, client: AsyncWebClient, event: dict[str, Any], event_id: str
    ) -> Reply:
        channel = _field(event, "channel")
        thread = _field(event, "thread_ts") or _field(event, "ts")
        if not channel or not thread or not await _first(runtime, event_id):
            return None
        await client.chat_postMessage(channel=channel, thread_ts=thread, text=text)
        return None

    return mention


async def reaction(
    runtime: Runtime, client: AsyncWebClient, event: dict[str, Any], event_id: str
) -> Reply:
    item = event.get("item")
    if _field(event, "reaction") not in PIN_REACTIONS or _field(item, "type") != "message":
        return None
    channel, ts, user = _field(item, "channel"), _field(item, "ts"), _field(event, "user")
    if not channel or not ts or not user:
        return None
    issue = await runtime.db.run(issue_in_channel, runtime.db, channel)
    if issue is None or not await _first(runtime, event_id):
        return None
    await pin_from_reaction(runtime.db, runtime.clock, client, issue, ts, user)
    return None


async def _first(runtime: Runtime, event_id: str) -> bool:
    """Whether this is the event's first delivery (Slack redelivers): noted once."""
    return await runtime.db.run(first_delivery, runtime.db, runtime.clock, event_id)


def _is_the_bot(body: dict[str, Any], user_id: str) -> bool:
    """Firebell itself joining a channel it made is no member of the issue."""
    authorizations = body.get("authorizations")
    if not isinstance(authorizations, list):
        return False
    return any(_field(a, "user_id") == user_id for a in authorizations)


async def member_joined(
    runtime: Runtime, body: dict[str, Any], event: dict[str, Any], event_id: str
) -> Reply:
    user, channel = _field(event, "user"), _field(event, "channel")
    if not user or not channel or _is_the_bot(body, user):
        return None
    # Once per event: a join redelivered after the leave that followed it must not re-add.
    if not await _first(runtime, event_id):
        return None
    await runtime.db.run(channel_joined, runtime.db, runtime.clock, channel, user)
    return None


async def member_left(runtime: Runtime, event: dict[str, Any], event_id: str) -> Reply:
    user, channel = _field(event, "user"), _field(event, "channel")
    if not user or not channel or not await _first(runtime, event_id):
        return None
    await runtime.db.run(channel_left, runtime.db, channel, user)
    return None


def listeners(commands: CommandTable) -> dict[str, Callable[..., Awaitable[Reply]]]:
    return {
        "app_mention": answer_mentions(commands),
        "reaction_added": reaction,
        "member_joined_channel": member_joined,
        "member_left_channel": member_left,
    }
