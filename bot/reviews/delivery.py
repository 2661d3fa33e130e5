"""Delivers reviews and what follows them: the draft, the Markdown file, follow-up DMs,
and the weekly digest."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.slack_steps import SlackSteps
from bot.reviews.service import content_of, review_markdown
from bot.reviews.views import followup_dm, offer_message, review_message
from storage.db import Database
from storage.models import FollowUp, Issue, Review


class ReviewEffects(SlackSteps):
    def __init__(self, db: Database, clock: Clock, client: AsyncWebClient) -> None:
        super().__init__(db, clock, client)

    def _review(self, issue: Issue) -> Review | None:
        with self.db.session() as session:
            return session.exec(select(Review).where(Review.issue_id == issue.id)).first()

    def _render(self, issue: Issue, review: Review) -> tuple[str, list[dict[str, Any]]]:
        assert issue.id is not None
        return review_message(
            issue.key,
            issue.id,
            content_of(review),
            source=review.source,
            note=review.note,
            status=review.status,
            published_by=review.published_by,
        )

    async def step_post_review(self, issue: Issue, _payload: dict[str, Any]) -> None:
        review = self._review(issue)
        if review is None:
            return
        text, blocks = self._render(issue, review)
        channel = self.channel(issue)
        response = await self.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
        with self.db.session() as session:
            row = session.get(Review, review.id)
            assert row is not None
            row.channel_id, row.message_ts = channel, response["ts"]
            session.add(row)
        await self.step_upload_review(issue, {})

    async def step_update_review(self, issue: Issue, _payload: dict[str, Any]) -> None:
        review = self._review(issue)
        if review is None or not review.message_ts or not review.channel_id:
            return
        text, blocks = self._render(issue, review)
        await self.client.chat_update(
            channel=review.channel_id, ts=review.message_ts, text=text, blocks=blocks
        )

    async def step_upload_review(self, issue: Issue, _payload: dict[str, Any]) -> None:
        review = self._review(issue)
        if review is None:
            return
        await self.client.files_upload_v2(
            channel=self.channel(issue),
            content=review_markdown(issue, review),
            filename=f"{issue.key.lower()}-review.md",
            title=f"{issue.key} post-incident review ({review.status})",
        )

    async def step_dm_followup(self, issue: Issue, payload: dict[str, Any]) -> None:
        with self.db.session() as session:
            followup = session.get(FollowUp, payload["followup_id"])
        if followup is None or followup.owner_id is None or followup.status != "open":
            return
        text, blocks = followup_dm(
            followup.title,
            issue.key,
            followup.due_on.isoformat() if followup.due_on else None,
            payload["reason"],
            followup.id or 0,
        )
        await self.client.chat_postMessage(channel=followup.owner_id, text=text, blocks=blocks)

    async def step_offer_review(self, issue: Issue, _payload: dict[str, Any]) -> None:
        assert issue.id is not None
        await self.client.chat_postMessage(
            channel=self.channel(issue),
            text=f"{issue.key} is fixed: draft the review?",
            blocks=offer_message(issue.key, issue.id),
        )

    async def step_digest(self, _issue: Any, payload: dict[str, Any]) -> None:
        await self.client.chat_postMessage(
            channel=payload["channel"], text=payload["text"], blocks=payload["blocks"]
        )
