"""Delivery of the detection slice's notices."""

from __future__ import annotations

from bot.core.delivery import Payload, Step
from bot.core.slack_steps import SlackSteps
from bot.detection import kinds
from bot.detection.views import notice_text
from storage.models import Issue


class DetectionDelivery(SlackSteps):
    def table(self) -> dict[type[Payload], Step]:
        return {kinds.Notice: self.notice}

    async def notice(self, issue: Issue, payload: kinds.Notice) -> None:
        await self.post_notice(issue, payload.event_id, notice_text)
