"""Telling a user something went wrong, without a stack trace."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import new_error_id

log = logging.getLogger(__name__)


def apology(error_id: str) -> str:
    return (
        f"Sorry, something went wrong on Firebell's side (error id `{error_id}`). Please try again."
    )


async def tell_user(client: AsyncWebClient, body: dict[str, Any], text: str) -> None:
    """Ephemeral where the surface allows it, else a DM; never raises."""
    user = body.get("user", {}).get("id") or body.get("user_id")
    channel = body.get("channel", {}).get("id") or body.get("channel_id")
    try:
        if channel and user:
            await client.chat_postEphemeral(channel=channel, user=user, text=text)
        elif user:
            await client.chat_postMessage(channel=user, text=text)
    except SlackApiError:
        log.warning("could not tell user %s: %s", user, text)


async def open_view_or_explain(
    client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]
) -> None:
    """Open a modal; if Slack refuses, say so and what to do instead."""
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        code = exc.response.get("error") if exc.response else "unknown"
        if code in {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}:
            await tell_user(client, body, "Slack took too long to open the form. Please try again.")
            return
        error_id = new_error_id()
        log.error("views.open failed (%s), error id %s", code, error_id)
        await tell_user(client, body, apology(error_id))
