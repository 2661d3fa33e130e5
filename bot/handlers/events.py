"""Events API: mentions, 📌 reactions in issue channels, and the App Home tab.

Slack delivers events at least once; each is acted on once (by event_id).
"""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.slack_events import first_delivery
from bot.handlers.help import help_text
from bot.incidents.list_views import home_view
from bot.incidents.pins import add_pinned_message
from bot.incidents.queries import issue_in_channel, list_issues, sla_clocks_by_issue
from bot.runtime import CONTEXT_KEY, Runtime

PIN_REACTIONS = {"pushpin", "round_pushpin"}


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


async def on_reaction(
    body: dict[str, Any], event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    item = event.get("item") or {}
    if event.get("reaction") not in PIN_REACTIONS or item.get("type") != "message":
        return
    issue = issue_in_channel(runtime.db, item.get("channel", ""))
    if issue is None or not first_delivery(runtime.db, runtime.clock, body["event_id"]):
        return
    runtime.background.spawn(_pin(runtime, client, issue, item["ts"], event["user"]), "pin")


async def _pin(runtime: Runtime, client: AsyncWebClient, issue: Any, ts: str, user: str) -> None:
    try:
        found = await client.conversations_history(
            channel=issue.channel_id, latest=ts, inclusive=True, limit=1
        )
    except SlackApiError:
        return  # the message is gone or unreadable; nothing to record
    messages = [m for m in found.get("messages") or [] if m.get("ts") == ts]
    if not messages:
        return
    message = messages[0]
    add_pinned_message(
        runtime.db,
        runtime.clock,
        issue,
        message_ts=ts,
        author_id=message.get("user"),
        pinned_by=user,
        text=message.get("text", ""),
    )


async def on_home_opened(
    event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    if event.get("tab", "home") != "home":
        return
    user = event["user"]
    issues = list_issues(runtime.db, "mine", user)
    clocks = sla_clocks_by_issue(runtime.db, [i.id for i in issues if i.id is not None])
    view = home_view(issues, clocks, runtime.clock.now())
    runtime.background.spawn(client.views_publish(user_id=user, view=view), "publish home")


def register(app: AsyncApp) -> None:
    app.event("app_mention")(on_mention)
    app.event("reaction_added")(on_reaction)
    app.event("app_home_opened")(on_home_opened)
