"""Delivers the SLA slice's side effects: escalation pings (Slack DMs, notices,
PagerDuty and Opsgenie pages), SLA notices in issue channels and the digest.

PagerDuty Events API v2 and Opsgenie Alerts API are called with the
documented request shapes (sla/pager_calls.py), acknowledged and resolved when
the issue is (sla/pager_loop.py); both URLs are configurable (tests use local fakes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.outbox import DeliveryError
from bot.core.slack_steps import SlackSteps, slack_error
from bot.sla import kinds, page_dms
from bot.sla.config import PagingConfig
from bot.sla.digest import Digest
from bot.sla.digest_views import digest_message
from bot.sla.paged_people import invite_group
from bot.sla.pager_calls import PagerCalls, alert_key, post_json
from bot.sla.targets import PageTarget, TargetKind, render
from bot.sla.views import (
    MANUAL,
    broadcast_text,
    notice_text,
    page_answered,
    page_message,
    page_reason,
)
from storage.db import Database
from storage.models import Issue

PD_SEVERITY = {"critical": "critical", "major": "error", "minor": "warning", "trivial": "info"}
OPSGENIE_PRIORITY = {"critical": "P1", "major": "P2", "minor": "P3", "trivial": "P5"}


class SlaDelivery(SlackSteps):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        client: AsyncWebClient,
        paging: PagingConfig,
        digest: Digest,
        digest_sections: Callable[[datetime], list[dict[str, Any]]] | None = None,
    ) -> None:
        super().__init__(db, clock, client)
        self.paging = paging
        self.pagers = PagerCalls(paging)
        self.digest = digest
        # More for the digest from slices above this one (insights' figures).
        self.digest_sections = digest_sections
        self.team_id: str | None = None

    def table(self) -> dict[type[Payload], Step]:
        return {
            kinds.Page: self.page,
            kinds.Notice: self.notice,
            kinds.SettlePageDms: self.settle_page_dms,
            kinds.DigestPost: self.post_digest,
            kinds.OldDigestPost: self.old_digest,
            kinds.PagerFollowUp: self.pager_follow_up,
        }

    async def notice(self, issue: Issue, payload: kinds.Notice) -> None:
        now = self.clock.now()
        await self.post_notice(issue, payload.event_id, lambda i, e: notice_text(i, e, now))

    async def post_digest(self, _issue: None, payload: kinds.DigestPost) -> None:
        now = self.clock.now()
        text, blocks = digest_message(self.digest.gather(now), now)
        if self.digest_sections is not None:
            blocks = [blocks[0], *self.digest_sections(now), *blocks[1:]][:50]
        await self.post_message(payload.channel, text, blocks=blocks)

    async def old_digest(self, _issue: None, payload: kinds.OldDigestPost) -> None:
        await self.post_message(payload.channel, payload.text, blocks=payload.blocks)

    def _keep_page_dm(self, issue_id: int, user: str, channel: str, ts: str) -> None:
        with self.db.session() as session:
            page_dms.keep(session, issue_id, user, channel, ts, self.clock.now())

    async def page(self, issue: Issue, payload: kinds.Page) -> None:
        target, value = payload.target, payload.id
        assert issue.id is not None
        if target == TargetKind.USER:
            if self.team_id is None:
                self.team_id = (await self.client.auth_test()).get("team_id")
            text, blocks = page_message(issue, payload, self.team_id)
            ts = await self.post_message(value, text, blocks=blocks)
            # Kept to be edited once someone takes the issue (page_dms.py).
            opened = await self.client.conversations_open(users=value)
            await self.db.run(self._keep_page_dm, issue.id, value, str(opened["channel"]["id"]), ts)
        elif target == TargetKind.USERGROUP:
            # Its members in first, so the mention reaches them in the channel.
            me = await self.bot_user()
            await invite_group(self.db, self.clock, self.client, issue, value, me)
            group = render(PageTarget(TargetKind.USERGROUP, value))
            why = "" if payload.clock == MANUAL else page_reason(issue, payload)
            await self.post_message(
                self.channel(issue),
                broadcast_text(issue, group, payload.by, payload.note, why=why, here=True),
            )
        elif target == TargetKind.CHANNEL:
            await self.post_message(
                value, broadcast_text(issue, "", why=page_reason(issue, payload))
            )
        elif target == TargetKind.PAGERDUTY:
            await self._post(
                str(self.paging.pagerduty_url),
                {},
                {
                    "routing_key": value,
                    "event_action": "trigger",
                    "dedup_key": alert_key(issue),
                    "payload": {
                        "summary": f"{issue.key}: {issue.title}"[:1024],
                        "source": "firebell",
                        "severity": PD_SEVERITY.get(issue.severity, "error"),
                        "custom_details": {
                            "status": issue.status,
                            "service": issue.service,
                            "clock": payload.clock,
                            "step": payload.step,
                        },
                    },
                },
            )
        elif target == TargetKind.OPSGENIE:
            await self._post(
                str(self.paging.opsgenie_url),
                {"Authorization": f"GenieKey {value}"},
                {
                    "message": f"{issue.key}: {issue.title}"[:130],
                    "alias": alert_key(issue),
                    "description": issue.description or issue.title,
                    "priority": OPSGENIE_PRIORITY.get(issue.severity, "P3"),
                    "source": "firebell",
                    "details": {"status": issue.status, "clock": payload.clock},
                },
            )
        else:
            raise DeliveryError(f"unknown page target {target}", permanent=True)

    async def settle_page_dms(self, issue: Issue, payload: kinds.SettlePageDms) -> None:
        """Every live page DM of the issue says who took it and when, buttons gone."""
        assert issue.id is not None
        by = payload.by or page_dms.taker(self.db, issue.id, payload.how)
        text, blocks = page_answered(issue, by, datetime.fromisoformat(payload.at), payload.how)
        for dm in page_dms.live(self.db, issue.id):
            try:
                await self.client.chat_update(
                    channel=dm.channel_id, ts=dm.ts, text=text, blocks=blocks
                )
            except SlackApiError as exc:
                if slack_error(exc) not in {"message_not_found", "channel_not_found"}:
                    raise  # a deleted DM has nothing left to edit; anything else retries
            page_dms.mark_settled(self.db, dm.id, self.clock.now())

    async def _post(self, url: str, headers: dict[str, str], body: dict[str, Any]) -> None:
        await post_json(self.client.session, url, headers, body)

    async def pager_follow_up(self, issue: Issue, payload: kinds.PagerFollowUp) -> None:
        await self.pagers.follow_up(self.client.session, issue, payload)
