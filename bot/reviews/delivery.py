"""Delivers reviews and what follows them: the draft, the Markdown file, the offer at
Fixed, follow-up DMs and the notice when a review is published."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError
from sqlmodel import select

from bot.core.delivery import Payload, Step
from bot.core.membership import members_of
from bot.core.reporters import who
from bot.core.slack_steps import SlackSteps
from bot.reviews import kinds
from bot.reviews.content import ReviewContent
from bot.reviews.markdown import people_in
from bot.reviews.service import content_of, review_markdown
from bot.reviews.views import followup_dm, offer_message, review_message
from storage.models import FollowUp, Issue, Review, TimelineEvent


class ReviewDelivery(SlackSteps):
    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.PostReview: self.post_review,
            kinds.UpdateReview: self.update_review,
            kinds.UploadReview: self.upload_review,
            kinds.OfferReview: self.offer_review,
            kinds.DmFollowup: self.dm_followup,
            kinds.Notice: self.notice,
        }

    async def _review(self, issue: Issue) -> Review | None:
        return await self.db.run(self._read_review, issue.id)

    def _read_review(self, issue_id: int | None) -> Review | None:
        with self.db.session() as session:
            return session.exec(select(Review).where(Review.issue_id == issue_id)).first()

    async def _render(self, issue: Issue, review: Review) -> tuple[str, list[dict[str, Any]]]:
        assert issue.id is not None
        content = content_of(review)
        people = await self.db.run(self._people, issue, content)
        return review_message(
            issue.key,
            issue.id,
            content,
            source=review.source,
            note=review.note,
            status=review.status,
            published_by=review.published_by,
            people=people,
        )

    def _people(self, issue: Issue, content: ReviewContent) -> frozenset[str]:
        """Whose mentions a review may keep live: those in the issue, and its channel."""
        with self.db.session() as session:
            members = members_of(session, issue)
        owners = {item.owner for item in content.action_items}
        return frozenset(p for p in members | {issue.channel_id} | owners if p)

    async def post_review(self, issue: Issue, _payload: kinds.PostReview) -> None:
        review = await self._review(issue)
        if review is None:
            return
        text, blocks = await self._render(issue, review)
        channel = self.channel(issue)
        ts = await self.post_message(channel, text, blocks=blocks)
        await self.db.run(self._posted, review.id, channel, ts)
        await self.upload_review(issue, None)

    def _posted(self, review_id: int | None, channel: str, ts: str) -> None:
        """Where the review's message is (the one `update_review` edits)."""
        with self.db.session() as session:
            row = session.get(Review, review_id)
            assert row is not None
            row.channel_id, row.message_ts = channel, ts
            session.add(row)

    async def update_review(self, issue: Issue, _payload: kinds.UpdateReview) -> None:
        review = await self._review(issue)
        if review is None or not review.message_ts or not review.channel_id:
            return
        text, blocks = await self._render(issue, review)
        await self.client.chat_update(
            channel=review.channel_id, ts=review.message_ts, text=text, blocks=blocks
        )

    async def upload_review(self, issue: Issue, _payload: kinds.UploadReview | None) -> None:
        review = await self._review(issue)
        if review is None:
            return
        title = f"{issue.key} post-incident review ({review.status})"
        if self.retrying() and await self.already_shared(self.channel(issue), title):
            return
        mentioned = people_in(str(review.content))
        await self.client.files_upload_v2(
            channel=self.channel(issue),
            content=review_markdown(issue, review, await self._names(mentioned)),
            filename=f"{issue.key.lower()}-review.md",
            title=title,
        )

    async def _names(self, user_ids: set[str]) -> dict[str, str]:
        """Display names for a file read outside Slack (users.info; unknown ones stay ids)."""
        names = {}
        for user_id in sorted(user_ids):
            try:
                user = (await self.client.users_info(user=user_id)).get("user") or {}
            except SlackApiError:
                continue
            profile = user.get("profile") or {}
            names[user_id] = (
                profile.get("display_name") or user.get("real_name") or user.get("name") or user_id
            )
        return names

    async def dm_followup(self, issue: Issue, payload: kinds.DmFollowup) -> None:
        followup = await self.db.run(self._followup, payload.followup_id)
        if followup is None or followup.owner_id is None or followup.status != "open":
            return
        text, blocks = followup_dm(
            followup.title,
            issue.key,
            followup.due_on.isoformat() if followup.due_on else None,
            payload.reason,
            followup.id or 0,
        )
        await self.post_message(followup.owner_id, text, blocks=blocks)

    def _followup(self, followup_id: int) -> FollowUp | None:
        with self.db.session() as session:
            return session.get(FollowUp, followup_id)

    async def offer_review(self, issue: Issue, _payload: kinds.OfferReview) -> None:
        assert issue.id is not None
        await self.post_message(
            self.channel(issue),
            f"{issue.key} is fixed: draft the review?",
            blocks=offer_message(issue.key, issue.id),
        )

    async def notice(self, issue: Issue, payload: kinds.Notice) -> None:
        await self.post_notice(issue, payload.event_id, published_text)


def published_text(issue: Issue, event: TimelineEvent) -> str:
    count = event.payload.get("action_items", 0)
    return (
        f"{who(event.actor_id)} published the post-incident review of {issue.key} "
        f"with {count} action item{'' if count == 1 else 's'}."
    )
