"""The message shortcut "File an issue" and the global shortcut "Declare incident"."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ids import Callback
from bot.handlers.replies import open_view_or_explain
from bot.incidents.report_form import Source
from bot.incidents.report_modal import ReportPrefill, report_modal
from bot.runtime import CONTEXT_KEY, Runtime


async def file_from_message(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    runtime: Runtime = context[CONTEXT_KEY]
    runtime.background.spawn(_open_prefilled(body, client), "open report modal from message")


async def _open_prefilled(body: dict[str, Any], client: AsyncWebClient) -> None:
    message, channel = body["message"], body["channel"]
    try:
        link = await client.chat_getPermalink(channel=channel["id"], message_ts=message["ts"])
        permalink: str | None = link["permalink"]
    except SlackApiError:
        permalink = None  # the issue is still worth filing without the link
    prefill = ReportPrefill(
        description=message.get("text", ""),
        source=Source(channel_id=channel["id"], message_ts=message["ts"], permalink=permalink),
        source_channel_name=channel.get("name"),
    )
    await open_view_or_explain(client, body, report_modal(prefill))


async def declare_incident(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    await ack()
    runtime: Runtime = context[CONTEXT_KEY]
    view = report_modal(ReportPrefill())
    runtime.background.spawn(open_view_or_explain(client, body, view), "open report modal")


def register(app: AsyncApp) -> None:
    app.shortcut(Callback.FILE_ISSUE_SHORTCUT.value)(file_from_message)
    app.shortcut(Callback.DECLARE_SHORTCUT.value)(declare_incident)
