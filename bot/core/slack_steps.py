"""What every outbox step shares: the issue's channel, recording results, Slack errors."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.attempts import CURRENT_ATTEMPT, Attempt
from bot.core.clock import Clock
from bot.core.outbox import DeliveryError
from bot.core.timeline import EventKind, add_event
from storage.db import Database
from storage.models import Issue, TimelineEvent

log = logging.getLogger(__name__)

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
    """Slack's error code; `http_<status>` when the answer was not Slack's JSON (a 500
    page from a proxy has no code, and is not a dict to read one from)."""
    response = exc.response
    data = getattr(response, "data", None) if response is not None else None
    if isinstance(data, dict):
        return str(data.get("error", "unknown_error"))
    status = getattr(response, "status_code", 0) if response is not None else 0
    return f"http_{status}" if status else "unknown_error"


def as_delivery_error(exc: SlackApiError) -> DeliveryError:
    code = slack_error(exc)
    status = exc.response.status_code if exc.response is not None else 0
    transient = code in TRANSIENT_ERRORS or status >= 429
    return DeliveryError(f"Slack answered {code}", permanent=not transient)


# The metadata event type on every message Firebell posts from its outbox.
OUTBOX_EVENT = "firebell_outbox"
HISTORY_PAGES = 5  # how far back a retry looks for its own message (200 messages a page)
# Our clock and Slack's may disagree; the key, not the time, makes the match.
LOOKBACK_SECONDS = 600


class SlackSteps:
    """Base of each slice's delivery steps: the database, the clock and the Slack client."""

    def __init__(self, db: Database, clock: Clock, client: AsyncWebClient) -> None:
        self.db = db
        self.clock = clock
        self.client = client
        self._me: str | None = None

    async def post_message(self, channel: str, text: str, **fields: Any) -> str:
        """chat.postMessage, exactly once as Slack sees it; returns the message ts.

        Every message carries its outbox key as Slack message metadata. When an earlier
        attempt may have reached Slack (it timed out, or its process died), the
        conversation is searched for that key first, and a message found is taken as
        this attempt's result instead of posting it again.
        """
        attempt = CURRENT_ATTEMPT.get()
        if attempt is not None:
            fields["metadata"] = {"event_type": OUTBOX_EVENT, "event_payload": {"key": attempt.key}}
            if attempt.retry:
                found = await self.find_posted(channel, attempt, fields.get("thread_ts"))
                if found is not None:
                    return found
        response = await self.client.chat_postMessage(channel=channel, text=text, **fields)
        return str(response["ts"])

    @staticmethod
    def retrying() -> bool:
        """Whether an earlier attempt at the item being delivered may have reached Slack."""
        attempt = CURRENT_ATTEMPT.get()
        return attempt is not None and attempt.retry

    async def already_shared(self, channel: str, title: str) -> str | None:
        """An earlier attempt's upload of a file with this title, shared in the channel
        since that attempt began: its file id (files.list, newest first)."""
        attempt = CURRENT_ATTEMPT.get()
        since = attempt.since.timestamp() - 1 if attempt else 0
        listed = await self.client.files_list(channel=channel, ts_from=str(int(since)), count=100)
        for found in listed.get("files") or []:
            if found.get("title") == title:
                return str(found.get("id"))
        return None

    async def find_posted(
        self, channel: str, attempt: Attempt, thread_ts: str | None = None
    ) -> str | None:
        """The ts of a message this item already posted in the conversation (or in the
        thread: Slack keeps replies out of history), if any: our bot's, with our event
        type and this item's key."""
        try:
            me = await self.bot_user()
            if channel[:1] in {"U", "W"}:  # a DM is addressed by user; its history by channel
                opened = await self.client.conversations_open(users=channel)
                channel = str(opened["channel"]["id"])
            oldest = f"{attempt.since.timestamp() - LOOKBACK_SECONDS:.6f}"
            cursor = None
            for _ in range(HISTORY_PAGES):
                if thread_ts:
                    page = await self.client.conversations_replies(
                        channel=channel,
                        ts=thread_ts,
                        oldest=oldest,
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    )
                else:
                    page = await self.client.conversations_history(
                        channel=channel,
                        oldest=oldest,
                        include_all_metadata=True,
                        limit=200,
                        cursor=cursor,
                    )
                for message in page.get("messages") or []:
                    meta = message.get("metadata") or {}
                    if (
                        message.get("user") == me
                        and meta.get("event_type") == OUTBOX_EVENT
                        and (meta.get("event_payload") or {}).get("key") == attempt.key
                    ):
                        return str(message["ts"])
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not page.get("has_more") or not cursor:
                    return None
        except SlackApiError as exc:
            if slack_error(exc) not in {"missing_scope", "not_in_channel", "channel_not_found"}:
                raise
            # Installed before the history scopes were asked for: post, as before.
            log.warning("cannot look for an earlier post in %s: %s", channel, slack_error(exc))
        return None

    async def bot_user(self) -> str | None:
        """This bot's own user id (auth.test, asked once)."""
        if self._me is None:
            self._me = (await self.client.auth_test()).get("user_id")
        return self._me

    @staticmethod
    def channel(issue: Issue) -> str:
        # Items of a stream run in order, so the channel exists unless creating it gave up.
        if not issue.channel_id:
            raise DeliveryError(f"{issue.key} has no channel yet", permanent=True)
        return issue.channel_id

    async def record(
        self, issue: Issue, kind: EventKind, changes: dict[str, Any] | None = None, **payload: Any
    ) -> None:
        """Store what a step achieved on the issue and its timeline event, in one
        transaction, in the database's threads."""
        await self.db.run(self._record, issue.id, kind, changes or {}, payload)

    def _record(
        self,
        issue_id: int | None,
        kind: EventKind,
        changes: dict[str, Any],
        payload: dict[str, Any],
    ) -> None:
        with self.db.session() as session:
            row = session.get(Issue, issue_id)
            assert row is not None
            for name, value in changes.items():
                setattr(row, name, value)
            session.add(row)
            add_event(session, row, kind, self.clock, **changes, **payload)

    async def post_notice(
        self, issue: Issue, event_id: int, words: Callable[[Issue, TimelineEvent], str]
    ) -> None:
        """Announce a timeline event in the issue channel, in words chosen now."""
        event = await self.db.run(self._event, event_id)
        if event is None:
            raise DeliveryError(f"timeline event {event_id} is gone", permanent=True)
        await self.post_message(self.channel(issue), words(issue, event))

    def _event(self, event_id: int) -> TimelineEvent | None:
        with self.db.session() as session:
            return session.get(TimelineEvent, event_id)
