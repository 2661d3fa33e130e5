"""Delivery of an issue's life in Slack: card edits, announcements, checklists, DMs."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.membership import can_see
from bot.core.slack_steps import SlackSteps
from bot.incidents import kinds
from bot.incidents.announcements import announcement
from bot.incidents.card import issue_card
from bot.incidents.card_extras import CardSettings, card_extras, web_link
from bot.incidents.checklist import Checklist
from bot.incidents.checklist_views import checklist_message
from bot.incidents.lifecycle_views import proposal_message, reporter_news, reporter_update
from bot.incidents.provisioning import Provisioning
from bot.incidents.reporters import reporters
from bot.incidents.steps import PhaseView
from storage.db import Database
from storage.models import Issue, PhaseMessage


class IssueDelivery(SlackSteps):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        checklist: Checklist,
        provisioning: Provisioning,
        card: CardSettings,
    ) -> None:
        super().__init__(db, clock, client)
        self.checklist = checklist
        self.provisioning = provisioning
        self.card = card

    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.UpdateCard: self.update_card,
            kinds.Announce: self.announce,
            kinds.Invite: self.invite,
            kinds.ProposeStatus: self.propose_status,
            kinds.DmReporterUpdate: self.dm_reporter_update,
            kinds.DmReporterNews: self.dm_reporter_news,
            kinds.PostChecklist: self.post_checklist,
            kinds.UpdateChecklist: self.update_checklist,
            kinds.OldAnnounce: self.old_announce,
            kinds.OldProposeStatus: self.old_propose_status,
        }

    async def update_card(self, issue: Issue, _payload: kinds.UpdateCard) -> None:
        if not issue.card_ts:
            return  # the card is not posted yet; it will show the current state
        text, blocks = issue_card(
            issue, extras=await self.db.run(card_extras, self.db, self.card, issue)
        )
        await self.client.chat_update(
            channel=self.channel(issue), ts=issue.card_ts, text=text, blocks=blocks
        )

    async def announce(self, issue: Issue, payload: kinds.Announce) -> None:
        await self.post_notice(issue, payload.event_id, announcement)

    async def old_announce(self, issue: Issue, payload: kinds.OldAnnounce) -> None:
        await self.post_message(self.channel(issue), payload.text)

    async def old_propose_status(self, issue: Issue, payload: kinds.OldProposeStatus) -> None:
        await self.propose_status(issue, kinds.ProposeStatus(payload.target, issue.phase))

    async def invite(self, issue: Issue, payload: kinds.Invite) -> None:
        await self.provisioning.invite(issue, payload.user_id)

    async def propose_status(self, issue: Issue, payload: kinds.ProposeStatus) -> None:
        text, blocks = proposal_message(issue, payload.target, payload.phase)
        await self.post_message(self.channel(issue), text, blocks=blocks)

    async def reporters(self, issue: Issue, skip: str | None = None) -> list[str]:
        return await self.db.run(self._reporters, issue, skip)

    def _reporters(self, issue: Issue, skip: str | None) -> list[str]:
        """Every reporter still listening (a merged duplicate's too), but `skip`, who
        may see the issue: a status DM names it, and a private title goes to members only."""
        with self.db.session() as session:
            return [
                u
                for u in reporters(session, issue, listening=True)
                if u != skip and can_see(session, u, issue)
            ]

    async def dm_reporter_update(self, issue: Issue, payload: kinds.DmReporterUpdate) -> None:
        link = web_link(self.card, issue)
        text, blocks = reporter_update(issue, payload.before, payload.after, payload.summary, link)
        for user in await self.reporters(issue):
            await self.post_message(user, text, blocks=blocks)

    async def dm_reporter_news(self, issue: Issue, payload: kinds.DmReporterNews) -> None:
        event = await self.db.run(self._event, payload.event_id)
        if event is None:
            return
        said, at, poster = dict(event.payload), event.at, event.actor_id
        text, blocks = reporter_news(
            issue,
            str(said.get("text", "")),
            said.get("impact"),
            said.get("next_in"),
            at,
            web_link(self.card, issue),
        )
        for user in await self.reporters(issue, skip=poster):
            await self.post_message(user, text, blocks=blocks)

    async def post_checklist(self, issue: Issue, payload: kinds.PostChecklist) -> None:
        assert issue.id is not None
        view = await self.db.run(self.checklist.phase_view, issue.id, payload.phase)
        text, blocks = checklist_message(view)
        channel = self.channel(issue)
        ts = await self.post_message(channel, text, blocks=blocks)
        await self.db.run(self._save_checklist, issue.id, payload.phase, channel, ts)

    def _save_checklist(self, issue_id: int, phase: str, channel: str, ts: str) -> None:
        """Where a phase's checklist message is (the one `update_checklist` edits)."""
        with self.db.session() as session:
            row = session.exec(
                select(PhaseMessage).where(
                    PhaseMessage.issue_id == issue_id, PhaseMessage.phase == phase
                )
            ).first() or PhaseMessage(issue_id=issue_id, phase=phase, channel_id=channel, ts="")
            row.channel_id, row.ts = channel, ts
            session.add(row)

    async def update_checklist(self, issue: Issue, payload: kinds.UpdateChecklist) -> None:
        assert issue.id is not None
        row, view = await self.db.run(self._checklist_to_edit, issue.id, payload.phase)
        if row is None or view is None:
            return  # not posted yet; it will be posted with the current state
        text, blocks = checklist_message(view)
        await self.client.chat_update(channel=row.channel_id, ts=row.ts, text=text, blocks=blocks)

    def _checklist_to_edit(
        self, issue_id: int, phase: str
    ) -> tuple[PhaseMessage | None, PhaseView | None]:
        """The phase's posted checklist message and what it shows now (None: not posted)."""
        with self.db.session() as session:
            row = session.exec(
                select(PhaseMessage).where(
                    PhaseMessage.issue_id == issue_id, PhaseMessage.phase == phase
                )
            ).first()
        if row is None:
            return None, None
        return row, self.checklist.phase_view(issue_id, phase)
