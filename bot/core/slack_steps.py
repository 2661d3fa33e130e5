"""What every outbox step shares: the issue's channel, recording results, Slack errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.outbox import DeliveryError
from bot.core.timeline import add_event
from storage.db import Database
from storage.models import Issue, TimelineEvent

# Slack errors that say "try later" rather than "this request is wrong".
TRANSIENT_ERRORS = {
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "team_added_to_org",
}


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown_error")) if exc.response else "unknown_error"


def as_delivery_error(exc: SlackApiError) -> DeliveryError:
    code = slack_error(exc)
    status = exc.response.status_code if exc.response is not None else 0
    transient = code in TRANSIENT_ERRORS or status >= 429
    return DeliveryError(f"Slack answered {code}", permanent=not transient)


class SlackSteps:
    """Base of each slice's delivery steps: the database, the clock and the Slack client."""

    def __init__(self, db: Database, clock: Clock, client: AsyncWebClient) -> None:
        self.db = db
        self.clock = clock
        self.client = client

    @staticmethod
    def channel(issue: Issue) -> str:
        # Items of a stream run in order, so the channel exists unless creating it gave up.
        if not issue.channel_id:
            raise DeliveryError(f"{issue.key} has no channel yet", permanent=True)
        return issue.channel_id

    def record(
        self, issue: Issue, kind: str, changes: dict[str, Any] | None = None, **payload: Any
    ) -> None:
        """Store what a step achieved on the issue and its timeline event, in one transaction."""
        with self.db.session() as session:
            row = session.get(Issue, issue.id)
            assert row is not None
            for name, value in (changes or {}).items():
                setattr(row, name, value)
            session.add(row)
            add_event(session, row, kind, self.clock, **(changes or {}), **payload)

    async def post_notice(
        self, issue: Issue, event_id: int, words: Callable[[Issue, TimelineEvent], str]
    ) -> None:
        """Announce a timeline event in the issue channel, in words chosen now."""
        with self.db.session() as session:
            event = session.get(TimelineEvent, event_id)
        if event is None:
            raise DeliveryError(f"timeline event {event_id} is gone", permanent=True)
        await self.client.chat_postMessage(channel=self.channel(issue), text=words(issue, event))
