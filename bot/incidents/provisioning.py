"""A new issue's Slack side effects: channel, invite, card, pin, DM, thread reply.

Each step first checks what is already recorded, so a retried item does not
repeat work that succeeded; each success is recorded with a timeline event.
"""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.attempts import CURRENT_ATTEMPT
from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.outbox import DeliveryError
from bot.core.slack_steps import TRANSIENT_ERRORS, SlackSteps, slack_error
from bot.incidents import kinds
from bot.incidents.attachments import refused_at_filing
from bot.incidents.card import issue_card, reporter_confirmation, source_thread_reply
from bot.incidents.card_extras import CardSettings, card_extras
from bot.incidents.channel_names import channel_name
from bot.incidents.event_kinds import IncidentEvent
from storage.db import Database
from storage.models import Issue

MAX_NAME_ATTEMPTS = 20


class Provisioning(SlackSteps):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        channel_prefix: str,
        card: CardSettings,
    ) -> None:
        super().__init__(db, clock, client)
        self.channel_prefix = channel_prefix
        self.card = card

    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.CreateChannel: self.create_channel,
            kinds.InviteReporter: self.invite_reporter,
            kinds.PostCard: self.post_card,
            kinds.PinCard: self.pin_card,
            kinds.DmReporter: self.dm_reporter,
            kinds.ReplyInSource: self.reply_in_source,
        }

    async def create_channel(self, issue: Issue, _payload: kinds.CreateChannel) -> None:
        if issue.channel_id:
            return
        for attempt in range(1, MAX_NAME_ATTEMPTS + 1):
            name = channel_name(self.channel_prefix, issue.number, issue.title, attempt)
            try:
                created = await self.client.conversations_create(
                    name=name, is_private=issue.private
                )
                channel: dict[str, Any] = dict(created["channel"])
            except SlackApiError as exc:
                if slack_error(exc) != "name_taken":
                    raise
                # An earlier attempt may have created it and died before recording it.
                mine = await self.created_by_us(name) if self.retrying() else None
                if mine is None:
                    continue
                channel = mine
            await self.record(
                issue,
                IncidentEvent.CHANNEL_CREATED,
                {"channel_id": channel["id"], "channel_name": channel["name"]},
            )
            return
        raise DeliveryError(f"no free channel name after {MAX_NAME_ATTEMPTS} tries", permanent=True)

    async def created_by_us(self, name: str) -> dict[str, Any] | None:
        """The channel of that name if this bot created it since this item began (the name
        carries the issue's number, so it is this issue's), through every page of channels."""
        me = await self.bot_user()
        attempt = CURRENT_ATTEMPT.get()
        since = attempt.since.timestamp() - 60 if attempt else 0
        cursor = None
        while True:
            page = await self.client.conversations_list(
                types="public_channel,private_channel", limit=1000, cursor=cursor
            )
            for channel in page.get("channels") or []:
                if (
                    channel.get("name") == name
                    and channel.get("creator") == me
                    and not channel.get("is_archived")
                    and channel.get("created", 0) >= since  # not one from an older database
                ):
                    return dict(channel)
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not cursor:
                return None

    async def invite_reporter(self, issue: Issue, _payload: kinds.InviteReporter) -> None:
        await self.invite(issue, issue.reporter_id)
        await self.record(
            issue, IncidentEvent.PARTICIPANT_INVITED, user_id=issue.reporter_id, role="reporter"
        )

    async def invite(self, issue: Issue, user_id: str) -> None:
        try:
            await self.client.conversations_invite(channel=self.channel(issue), users=user_id)
        except SlackApiError as exc:
            # Already there (a retry), or the person is this bot itself.
            if slack_error(exc) not in {"already_in_channel", "cant_invite_self"}:
                raise

    async def post_card(self, issue: Issue, _payload: kinds.PostCard) -> None:
        if issue.card_ts:
            return
        text, blocks = issue_card(
            issue, extras=await self.db.run(card_extras, self.db, self.card, issue)
        )
        ts = await self.post_message(self.channel(issue), text, blocks=blocks)
        await self.record(issue, IncidentEvent.CARD_POSTED, {"card_ts": ts})

    async def pin_card(self, issue: Issue, _payload: kinds.PinCard) -> None:
        try:
            await self.client.pins_add(channel=self.channel(issue), timestamp=issue.card_ts)
        except SlackApiError as exc:
            if slack_error(exc) != "already_pinned":
                raise
        await self.record(issue, IncidentEvent.CARD_PINNED)

    async def dm_reporter(self, issue: Issue, _payload: kinds.DmReporter) -> None:
        refused = await self.db.run(self._refused, issue)
        await self.post_message(issue.reporter_id, reporter_confirmation(issue, refused))
        await self.record(issue, IncidentEvent.REPORTER_NOTIFIED, user_id=issue.reporter_id)

    def _refused(self, issue: Issue) -> tuple[tuple[str, str], ...]:
        with self.db.session() as session:
            return refused_at_filing(session, issue)

    async def reply_in_source(self, issue: Issue, _payload: kinds.ReplyInSource) -> None:
        text = source_thread_reply(issue)
        channel, ts = issue.source_channel_id or "", issue.source_message_ts
        try:
            await self.post_message(channel, text, thread_ts=ts)
        except SlackApiError as exc:
            reason = slack_error(exc)
            if reason == "channel_not_found":
                # A private channel the bot was never invited to: it cannot answer there.
                await self.record(issue, IncidentEvent.SOURCE_REPLY_SKIPPED, reason=reason)
                return
            if reason != "not_in_channel":
                raise
            # The bot is not in the public channel the message came from: join it.
            try:
                await self.client.conversations_join(channel=channel)
                await self.post_message(channel, text, thread_ts=ts)
            except SlackApiError as join_exc:
                reason = slack_error(join_exc)
                if reason in TRANSIENT_ERRORS:
                    raise
                await self.record(issue, IncidentEvent.SOURCE_REPLY_SKIPPED, reason=reason)
                return
        await self.record(issue, IncidentEvent.SOURCE_REPLIED, channel=channel, thread_ts=ts)
