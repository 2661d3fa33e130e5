"""Delivery of triage's messages, rendered from what is stored at delivery time."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import col, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step, enqueue
from bot.core.ids import IssueKey
from bot.core.membership import can_see, open_to_anyone
from bot.core.people import People
from bot.core.reporters import is_person
from bot.core.slack_steps import SlackSteps
from bot.incidents.card_extras import CardSettings, review_link, web_link
from bot.incidents.closing import latest_summary
from bot.incidents.kinds import refresh_card
from bot.incidents.rules import can_steer, is_open
from bot.triage import kinds
from bot.triage.duplicates import find_duplicates
from bot.triage.search import SearchIndex
from bot.triage.tuned import Threshold
from bot.triage.views import ClosedNote, merged_dm, merged_words, suggestion_message
from storage.db import Database
from storage.models import DuplicateSuggestion, Issue, Review, TimelineEvent


class TriageDelivery(SlackSteps):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        people: People,
        index: SearchIndex,
        card: CardSettings,
    ) -> None:
        super().__init__(db, clock, client)
        self.card = card  # the web app's address, for a closed lookalike's page and review
        self.people = people  # whether the reporter may reopen a closed lookalike
        self.index = index
        self.threshold = Threshold()  # tuned on this installation's answers, if stored

    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.FindDuplicates: self.find,
            kinds.SuggestDuplicates: self.suggest,
            kinds.MergedNotice: self.merged_notice,
            kinds.MergedDm: self.merged_dm,
        }

    async def find(self, issue: Issue, _payload: kinds.FindDuplicates) -> None:
        await self.db.run(self._find, issue.id)

    def _find(self, issue_id: int | None) -> None:
        """Store the likely duplicates, then refresh the card and tell the reporter, in
        one transaction. Once per issue: a retry after a commit finds rows and stops."""
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None or issue.merged_into_id is not None:
                return
            asked = session.exec(
                select(DuplicateSuggestion.id).where(DuplicateSuggestion.issue_id == issue.id)
            ).first()
            if asked is not None:
                return
            found = find_duplicates(session, self.index, issue, self.threshold.get(session))
            if not found:
                return
            refresh_card(session, self.clock, issue)
            # Someone outside Slack (a Zendesk requester) gets no DM: the card shows them.
            if is_person(issue.reporter_id):
                enqueue(session, self.clock, kinds.SuggestDuplicates(), issue=issue)

    async def suggest(self, issue: Issue, _payload: kinds.SuggestDuplicates) -> None:
        found = await self.db.run(self._shown, issue.id)
        if not found or issue.merged_into_id is not None:
            return  # answered or merged before this went out
        reporter = await self.people.actor(self.client, issue.reporter_id)
        may_reopen = {o.id for _, o in found if o.id is not None and can_steer(o, reporter)}
        closed = await self.db.run(self._closed_notes, [o for _, o in found if not is_open(o)])
        text, blocks = suggestion_message(issue, found, may_reopen, closed)
        await self.post_message(issue.reporter_id, text, blocks=blocks)

    async def merged_notice(self, issue: Issue, payload: kinds.MergedNotice) -> None:
        found = await self.db.run(self._merge_event, payload.event_id)
        if found is None:
            return
        event, key, other = found
        channel = other.channel_id if other is not None and open_to_anyone(other) else None
        await self.post_message(self.channel(issue), merged_words(issue, event.kind, key, channel))

    async def merged_dm(self, issue: Issue, payload: kinds.MergedDm) -> None:
        into, member = await self.db.run(self._merged_into, payload.into_id, payload.user_id)
        if into is not None:
            await self.post_message(payload.user_id, merged_dm(into, issue.key, member))

    def _shown(self, issue_id: int | None) -> list[tuple[DuplicateSuggestion, Issue]]:
        """The lookalikes still shown to the reporter, best first, with their issues."""
        with self.db.session() as session:
            rows = session.exec(
                select(DuplicateSuggestion)
                .where(
                    DuplicateSuggestion.issue_id == issue_id, DuplicateSuggestion.state == "shown"
                )
                .order_by(col(DuplicateSuggestion.score).desc())
            ).all()
            return [(row, other) for row in rows if (other := session.get(Issue, row.candidate_id))]

    def _closed_notes(self, closed: list[Issue]) -> dict[int, ClosedNote]:
        """For each closed lookalike: what fixed it (its root cause, else its last
        update) and its page and published review in the web app, when it has one."""
        notes = {}
        with self.db.session() as session:
            for other in closed:
                assert other.id is not None
                published = session.exec(
                    select(Review.id).where(
                        Review.issue_id == other.id, Review.status == "published"
                    )
                ).first()
                notes[other.id] = ClosedNote(
                    fix=latest_summary(session, other),
                    page=web_link(self.card, other),
                    review=review_link(self.card, other) if published is not None else None,
                )
        return notes

    def _merge_event(self, event_id: int) -> tuple[TimelineEvent, str, Issue | None] | None:
        """The merge event, the other issue's key it names, and that issue if it exists."""
        with self.db.session() as session:
            event = session.get(TimelineEvent, event_id)
            if event is None:
                return None
            key = str(event.payload.get("key", ""))
            other = session.exec(
                select(Issue).where(Issue.number == IssueKey.parse(key).number)
            ).first()
            return event, key, other

    def _merged_into(self, into_id: int, user_id: str) -> tuple[Issue | None, bool]:
        with self.db.session() as session:
            into = session.get(Issue, into_id)
            return into, into is not None and can_see(session, user_id, into)
