"""The issue channel's messages, read from Slack as chatter for the timeline the model
is told (a review draft, a catch-up)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ai.prompt import Line
from bot.core.slack_steps import slack_error

log = logging.getLogger(__name__)
PAGE = 200


async def channel_history(client: AsyncWebClient, channel: str | None, limit: int) -> list[Line]:
    """The issue channel's messages, paged, newest `limit` at most."""
    if not channel or limit <= 0:
        return []
    messages: list[dict[str, Any]] = []
    cursor = None
    try:
        bot_user = (await client.auth_test()).get("user_id")
        while len(messages) < limit:
            page = await client.conversations_history(
                channel=channel, cursor=cursor, limit=min(PAGE, limit - len(messages))
            )
            messages += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
    except SlackApiError as exc:
        log.warning("could not read history of %s: %s", channel, slack_error(exc))
        return []
    return history_lines(messages, bot_user)


def history_lines(messages: list[dict[str, Any]], bot_user: str | None) -> list[Line]:
    """Channel messages as timeline chatter (the bot's own are already on the timeline)."""
    lines = []
    for message in messages:
        if message.get("user") == bot_user or message.get("bot_id") or not message.get("text"):
            continue
        lines.append(
            Line(
                datetime.fromtimestamp(float(message["ts"]), tz=UTC),
                f"<@{message.get('user', '?')}>",
                message["text"][:2000],
                False,
            )
        )
    return lines
