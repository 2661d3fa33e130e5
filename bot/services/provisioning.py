"""Delivers a new issue's Slack side effects, one outbox item at a time.

Each step first checks what is already recorded, so a retried item does not
repeat work that succeeded; each success is recorded with a timeline event in
the same transaction.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.clock import Clock
from bot.config import FirebellConfig
from bot.services.channel_names import channel_name
from bot.services.issues import add_event, get_issue
from bot.services.outbox import DeliveryError
from bot.views.issue_card import issue_card, reporter_confirmation, source_thread_reply
from storage.db import Database
from storage.models import Issue, OutboxItem

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
MAX_NAME_ATTEMPTS = 20


def slack_error(exc: SlackApiError) -> str:
    return str(exc.response.get("error", "unknown_error")) if exc.response else "unknown_error"


def as_delivery_error(exc: SlackApiError) -> DeliveryError:
    code = slack_error(exc)
    transient = code in TRANSIENT_ERRORS or (
        exc.response is not None and exc.response.status_code >= 429
    )
    return DeliveryError(f"Slack answered {code}", permanent=not transient)


class Provisioner:
    def __init__(
        self, db: Database, clock: Clock, client: AsyncWebClient, config: FirebellConfig
    ) -> None:
        self.db = db
        self.clock = clock
        self.client = client
        self.config = config

    async def __call__(self, item: OutboxItem) -> None:
        assert item.issue_id is not None
        issue = get_issue(self.db, item.issue_id)
        step = getattr(self, f"_{item.kind}", None)
        if step is None:
            raise DeliveryError(f"unknown outbox kind {item.kind}", permanent=True)
        try:
            await step(issue)
        except SlackApiError as exc:
            raise as_delivery_error(exc) from exc

    def _record(
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

    @staticmethod
    def _channel(issue: Issue) -> str:
        # Items of a stream run in order, so the channel exists unless creating it gave up.
        if not issue.channel_id:
            raise DeliveryError(f"{issue.key} has no channel yet", permanent=True)
        return issue.channel_id

    async def _create_channel(self, issue: Issue) -> None:
        if issue.channel_id:
            return
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            name = channel_name(self.config.channel_prefix, issue.number, issue.title, attempt)
            try:
                response = await self.client.conversations_create(
                    name=name, is_private=issue.private
                )
            except SlackApiError as exc:
                if slack_error(exc) == "name_taken":
                    continue
                raise
            channel = response["channel"]
            self._record(
                issue,
                "channel_created",
                {"channel_id": channel["id"], "channel_name": channel["name"]},
            )
            return
        raise DeliveryError(f"no free channel name after {MAX_NAME_ATTEMPTS} tries", permanent=True)

    async def _invite_reporter(self, issue: Issue) -> None:
        try:
            await self.client.conversations_invite(
                channel=self._channel(issue), users=issue.reporter_id
            )
        except SlackApiError as exc:
            # Already there (a retry), or the reporter is this bot itself.
            if slack_error(exc) not in {"already_in_channel", "cant_invite_self"}:
                raise
        self._record(issue, "participant_invited", user_id=issue.reporter_id, role="reporter")

    async def _post_card(self, issue: Issue) -> None:
        if issue.card_ts:
            return
        text, blocks = issue_card(issue)
        response = await self.client.chat_postMessage(
            channel=self._channel(issue), text=text, blocks=blocks
        )
        self._record(issue, "card_posted", {"card_ts": response["ts"]})

    async def _pin_card(self, issue: Issue) -> None:
        try:
            await self.client.pins_add(channel=self._channel(issue), timestamp=issue.card_ts)
        except SlackApiError as exc:
            if slack_error(exc) != "already_pinned":
                raise
        self._record(issue, "card_pinned")

    async def _dm_reporter(self, issue: Issue) -> None:
        await self.client.chat_postMessage(
            channel=issue.reporter_id, text=reporter_confirmation(issue)
        )
        self._record(issue, "reporter_notified", user_id=issue.reporter_id)

    async def _reply_in_source(self, issue: Issue) -> None:
        text = source_thread_reply(issue)
        channel, ts = issue.source_channel_id or "", issue.source_message_ts
        try:
            await self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text)
        except SlackApiError as exc:
            reason = slack_error(exc)
            if reason == "channel_not_found":
                # A private channel the bot was never invited to: it cannot answer there.
                self._record(issue, "source_reply_skipped", reason=reason)
                return
            if reason != "not_in_channel":
                raise
            # The bot is not in the public channel the message came from: join it.
            try:
                await self.client.conversations_join(channel=channel)
                await self.client.chat_postMessage(channel=channel, thread_ts=ts, text=text)
            except SlackApiError as join_exc:
                reason = slack_error(join_exc)
                if reason in TRANSIENT_ERRORS:
                    raise
                self._record(issue, "source_reply_skipped", reason=reason)
                return
        self._record(issue, "source_replied", channel=channel, thread_ts=ts)
