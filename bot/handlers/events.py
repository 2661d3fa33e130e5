"""Events API: mentions answer with help, once per event even when Slack retries."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.runtime import CONTEXT_KEY, Runtime
from bot.services.events import first_delivery
from bot.views.help import help_text


async def on_mention(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    if not first_delivery(runtime.db, runtime.clock, body["event_id"]):
        return
    reply = client.chat_postMessage(
        channel=event["channel"], thread_ts=event.get("thread_ts") or event["ts"], text=help_text()
    )
    runtime.background.spawn(reply, "answer mention")


def register(app: AsyncApp) -> None:
    app.event("app_mention")(on_mention)
