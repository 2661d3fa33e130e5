"""The outbox step that comments on a Zendesk ticket: exactly once as Zendesk sees it.

A first attempt just posts. A later one (the earlier may have reached Zendesk and lost
its answer, or its process died) first lists the ticket's newest comments and takes a
comment of ours with the same body as done. Each body is unique on its ticket
("Update 3 …", zendesk_words.py), so the lookup cannot mistake an older comment.
Zendesk down or rate-limiting: the outbox retries, waiting at least its Retry-After.
Zendesk refusing (401, 403, 404, 422): said once in the issue's channel, naming what
to check; retrying would not help, so the comment is not sent.
"""

from __future__ import annotations

import logging

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.attempts import CURRENT_ATTEMPT
from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.outbox import DeliveryError
from bot.core.slack_steps import SlackSteps
from bot.integrations.event_kinds import IntegrationEvent
from bot.integrations.kinds import ZendeskComment
from bot.integrations.zendesk_api import Refused, ZendeskApi
from bot.integrations.zendesk_config import ZendeskConfig
from bot.integrations.zendesk_words import comment_body, refusal_line
from storage.db import Database
from storage.models import Issue

log = logging.getLogger(__name__)


class ZendeskDelivery(SlackSteps):
    def __init__(
        self, db: Database, clock: Clock, client: AsyncWebClient, config: ZendeskConfig | None
    ) -> None:
        super().__init__(db, clock, client)
        self.config = config
        self.api = ZendeskApi(config) if config is not None else None

    def table(self) -> dict[type[Payload], Step]:
        return {ZendeskComment: self.comment}

    async def comment(self, issue: Issue, payload: ZendeskComment) -> None:
        if self.api is None or self.config is None:
            raise DeliveryError("no zendesk section in firebell.yml", permanent=True)
        body = comment_body(issue, payload)
        attempt = CURRENT_ATTEMPT.get()
        try:
            if attempt is not None and attempt.retry:
                if await self.api.has_comment(payload.ticket_id, body):
                    return
            await self.api.add_comment(payload.ticket_id, body, self.config.comments == "public")
        except Refused as refused:
            log.warning("Zendesk refused a comment on ticket %s: %s", payload.ticket_id, refused)
            # The channel may still be on its way (this stream is the ticket's own).
            if not issue.channel_id:
                raise DeliveryError(f"{issue.key} has no channel yet to tell") from None
            await self.post_message(
                self.channel(issue), refusal_line(payload.ticket_id, refused.reason)
            )
            await self.record(
                issue,
                IntegrationEvent.ZENDESK_REFUSED,
                ticket=payload.ticket_id,
                reason=refused.reason,
            )
