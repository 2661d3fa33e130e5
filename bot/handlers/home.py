"""The App Home tab: my open issues with their SLA state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.membership import visible_to
from bot.handlers.listener import Reply
from bot.incidents.queries import list_issues
from bot.serving.runtime import Runtime
from bot.sla.clocks import clocks_by_issue
from bot.sla.views import home_view
from storage.db import Database


async def home_opened(runtime: Runtime, client: AsyncWebClient, event: dict[str, Any]) -> Reply:
    if event.get("tab", "home") != "home":
        return None
    user = event["user"]
    view = await runtime.db.run(_home, runtime.db, user, runtime.clock.now())
    await client.views_publish(user_id=user, view=view)
    return None


def _home(db: Database, user: str, now: datetime) -> dict[str, Any]:
    """The tab's view, read in the database's threads (off the event loop)."""
    visible = visible_to(db, list_issues(db, "mine", user), user)
    clocks = clocks_by_issue(db, [i.id for i in visible.shown if i.id is not None])
    return home_view(visible, clocks, now)


EVENTS = {"app_home_opened": home_opened}
