"""Delivery of the status page's notices, rendered from what is stored at delivery."""

from __future__ import annotations

from bot.core.blocks import clip, escape
from bot.core.delivery import Payload, Step
from bot.core.slack_steps import SlackSteps
from bot.statuspage import kinds
from bot.statuspage.words import SHOWN
from storage.models import Issue, StatusPost

NOTICE_MAX = 3000  # a message's text stays within a section's limit


def published_words(post: StatusPost, user_id: str | None) -> str:
    """The notice: who published what, escaped (a published text never pings or links)."""
    by = f" by <@{user_id}>" if user_id else ""
    head = f":satellite_antenna: Published to the status page{by} ({SHOWN[post.status]}): "
    return head + clip(escape(post.body), NOTICE_MAX - len(head))


class StatusPageDelivery(SlackSteps):
    def table(self) -> dict[type[Payload], Step]:
        return {kinds.PublishedNotice: self.published_notice}

    async def published_notice(self, issue: Issue, payload: kinds.PublishedNotice) -> None:
        post = await self.db.run(self._post, payload.post_id)
        if post is None:
            return
        await self.post_message(self.channel(issue), published_words(post, post.posted_by))

    def _post(self, post_id: int) -> StatusPost | None:
        with self.db.session() as session:
            return session.get(StatusPost, post_id)
