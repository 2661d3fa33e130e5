"""Posting and editing an issue's feed message, rendered from the issue as it is then."""

from __future__ import annotations

from bot.core.delivery import Payload, Step
from bot.core.membership import open_to_anyone
from bot.core.slack_steps import SlackSteps
from bot.feed import kinds
from bot.feed.views import feed_message
from storage.models import FeedMessage, Issue


class FeedDelivery(SlackSteps):
    def table(self) -> dict[type[Payload], Step]:
        return {kinds.PostToFeed: self.post, kinds.EditInFeed: self.edit}

    async def post(self, issue: Issue, payload: kinds.PostToFeed) -> None:
        if not open_to_anyone(issue):
            return  # never, even if it became private while this waited
        assert issue.id is not None
        if await self.db.run(self._posted, issue.id) is not None:
            return
        text, blocks = feed_message(issue, self.clock.now())
        ts = await self.post_message(payload.channel, text, blocks=blocks, unfurl_links=False)
        await self.db.run(self._save, issue.id, payload.channel, ts)

    async def edit(self, issue: Issue, _payload: kinds.EditInFeed) -> None:
        assert issue.id is not None
        found = await self.db.run(self._posted, issue.id)
        if found is None:
            return  # not announced (or the post gave up): nothing to edit
        text, blocks = feed_message(issue, self.clock.now())
        await self.client.chat_update(
            channel=found.channel_id, ts=found.ts, text=text, blocks=blocks
        )

    def _posted(self, issue_id: int) -> FeedMessage | None:
        with self.db.session() as session:
            return session.get(FeedMessage, issue_id)

    def _save(self, issue_id: int, channel: str, ts: str) -> None:
        with self.db.session() as session:
            if session.get(FeedMessage, issue_id) is None:
                session.add(FeedMessage(issue_id=issue_id, channel_id=channel, ts=ts))
