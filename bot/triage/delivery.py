"""Delivery of triage's messages, rendered from what is stored at delivery time."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.ids import IssueKey
from bot.core.membership import can_see, open_to_anyone
from bot.core.people import People
from bot.core.slack_steps import SlackSteps
from bot.incidents.rules import can_steer
from bot.triage import kinds
from bot.triage.views import merged_dm, merged_words, suggestion_message
from storage.db import Database
from storage.models import DuplicateSuggestion, Issue, TimelineEvent


class TriageDelivery(SlackSteps):
    def __init__(self, db: Database, clock: Clock, client: AsyncWebClient, people: People) -> None:
        super().__init__(db, clock, client)
        self.people = people  # whether the reporter may reopen a closed lookalike

    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.SuggestDuplicates: self.suggest,
            kinds.MergedNotice: self.merged_notice,
            kinds.MergedDm: self.merged_dm,
        }

    async def suggest(self, issue: Issue, _payload: kinds.SuggestDuplicates) -> None:
        with self.db.session() as session:
            rows = session.exec(
                select(DuplicateSuggestion)
                .where(
                    DuplicateSuggestion.issue_id == issue.id, DuplicateSuggestion.state == "shown"
                )
                .order_by(col(DuplicateSuggestion.score).desc())
            ).all()
            found = [
                (row, other) for row in rows if (other := session.get(Issue, row.candidate_id))
            ]
        if not found or issue.merged_into_id is not None:
            return  # answered or merged before this went out
        reporter = await self.people.actor(self.client, issue.reporter_id)
        may_reopen = {o.id for _, o in found if o.id is not None and can_steer(o, reporter)}
        text, blocks = suggestion_message(issue, found, may_reopen)
        await self.post_message(issue.reporter_id, text, blocks=blocks)

    async def merged_notice(self, issue: Issue, payload: kinds.MergedNotice) -> None:
        with self.db.session() as session:
            event = session.get(TimelineEvent, payload.event_id)
            if event is None:
                return
            key = str(event.payload.get("key", ""))
            other = session.exec(
                select(Issue).where(Issue.number == IssueKey.parse(key).number)
            ).first()
        channel = other.channel_id if other is not None and open_to_anyone(other) else None
        await self.post_message(self.channel(issue), merged_words(issue, event.kind, key, channel))

    async def merged_dm(self, issue: Issue, payload: kinds.MergedDm) -> None:
        with self.db.session() as session:
            into = session.get(Issue, payload.into_id)
            member = into is not None and can_see(session, payload.user_id, into)
        if into is not None:
            await self.post_message(payload.user_id, merged_dm(into, issue.key, member))
