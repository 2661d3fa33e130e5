"""Telling a user something after the ack, and opening modals."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

from bot.core.errors import FirebellError
from bot.core.slack_steps import slack_error

log = logging.getLogger(__name__)


def apology(error_id: str, *, on_form: bool = False) -> str:
    if on_form:
        return (
            f"Firebell could not save this (error id {error_id}). "
            "Your answers are kept: submit again."
        )
    return (
        f"Sorry, something went wrong on Firebell's side (error id `{error_id}`). Please try again."
    )


async def tell_user(
    client: AsyncWebClient,
    body: dict[str, Any],
    text: str,
    blocks: list[dict[str, Any]] | None = None,
) -> None:
    """An ephemeral reply through response_url where the surface has one (it works
    even where the bot is not a channel member), else a DM; never raises."""
    user = body.get("user", {}).get("id") or body.get("user_id")
    try:
        if body.get("response_url"):
            webhook = AsyncWebhookClient(body["response_url"], session=client.session)
            await webhook.send(text=text, blocks=blocks, response_type="ephemeral")
        elif user:
            await client.chat_postMessage(channel=user, text=text, blocks=blocks)
    except (SlackApiError, aiohttp.ClientError, TimeoutError):
        log.warning("could not tell user %s: %s", user, text)


async def replace_message(
    client: AsyncWebClient, body: dict[str, Any], text: str, blocks: list[dict[str, Any]]
) -> None:
    """Edit the message whose button was pressed: once used, its buttons are spent and
    it says what was done instead. A press from a surface without a message edits nothing."""
    where = body.get("container") or {}
    if where.get("channel_id") and where.get("message_ts"):
        await client.chat_update(
            channel=where["channel_id"], ts=where["message_ts"], text=text, blocks=blocks
        )


async def open_view(client: AsyncWebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Open a modal. A trigger that expired is the user's to retry; any other refusal
    goes up the error path (logged with an error id, answered with an apology)."""
    try:
        await client.views_open(trigger_id=body["trigger_id"], view=view)
    except SlackApiError as exc:
        code = slack_error(exc)
        if code in {"expired_trigger_id", "exchanged_trigger_id", "invalid_trigger_id"}:
            raise FirebellError(
                "Slack took too long to open the form. Please run the command again."
            ) from None
        raise
