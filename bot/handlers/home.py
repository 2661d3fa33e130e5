"""The App Home tab: my open issues with their SLA state."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.membership import visible_to
from bot.handlers.listener import Reply
from bot.incidents.queries import list_issues
from bot.serving.runtime import Runtime
from bot.sla.clocks import clocks_by_issue
from bot.sla.views import home_view


async def home_opened(runtime: Runtime, client: AsyncWebClient, event: dict[str, Any]) -> Reply:
    if event.get("tab", "home") != "home":
        return None
    user = event["user"]
    visible = visible_to(runtime.db, list_issues(runtime.db, "mine", user), user)
    clocks = clocks_by_issue(runtime.db, [i.id for i in visible.shown if i.id is not None])
    await client.views_publish(user_id=user, view=home_view(visible, clocks, runtime.clock.now()))
    return None


EVENTS = {"app_home_opened": home_opened}
