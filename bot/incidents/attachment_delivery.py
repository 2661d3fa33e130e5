"""Posting a report's files into the issue's channel (the outbox's `PostAttachment`).

A file uploaded to Firebell is posted from its stored bytes; a file already in Slack (a
modal's file input, a message filed with *File an issue*) is fetched from Slack with the
bot's token and posted again, so everyone in the issue's channel can open it, not only
those who saw the original. Each upload's title names the attachment, so a retry after
an attempt that may have reached Slack finds the file instead of posting it twice.

A file deleted in Slack (or no longer visible to the bot) before it was copied is not
retried: the channel is told in one line and the timeline records it."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.outbox import DeliveryError
from bot.core.slack_steps import SlackSteps, as_delivery_error, slack_error
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.event_kinds import IncidentEvent
from storage.db import Database
from storage.models import Attachment, Issue

DOWNLOAD_SECONDS = 60
DELETED = "it was deleted in Slack before it could be copied here"
HIDDEN = "Slack no longer lets Firebell read it"
# Slack's answers that no retry can change: the file is gone for Firebell.
GONE_ERRORS = {"file_deleted": DELETED, "file_not_found": HIDDEN}
GONE_STATUSES = {404: DELETED, 410: DELETED, 403: HIDDEN}


class FileGone(Exception):
    """The file in Slack cannot be fetched, and never will be."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def upload_title(issue: Issue, row: Attachment) -> str:
    """Unique per attachment: a retry looks for exactly this title."""
    return f"{issue.key} attachment {row.id}: {row.name}"


class AttachmentDelivery(SlackSteps):
    def __init__(self, db: Database, clock: Clock, client: AsyncWebClient) -> None:
        super().__init__(db, clock, client)

    def table(self) -> dict[type[Payload], Step]:
        return {kinds.PostAttachment: self.post_attachment}

    async def post_attachment(self, issue: Issue, payload: kinds.PostAttachment) -> None:
        row = await self.db.run(self._row, payload.attachment_id)
        if row is None or row.posted_at is not None:
            return
        channel, title = self.channel(issue), upload_title(issue, row)
        posted = await self.already_shared(channel, title) if self.retrying() else None
        if posted is None:
            try:
                data = row.data if row.data is not None else await self._from_slack(row)
            except FileGone as gone:
                line = f":warning: {escape(row.name)} could not be attached: {gone.reason}."
                await self.post_message(channel, line)
                await self.db.run(self._not_attached, issue.id, row.id, gone.reason)
                return
            answer = await self.client.files_upload_v2(
                channel=channel, content=data, filename=row.name, title=title
            )
            posted = str((answer.get("file") or {}).get("id") or "")
        await self.db.run(self._posted, row.id, posted)

    async def _from_slack(self, row: Attachment) -> bytes:
        """The bytes of a file that is in Slack: files.info, then its private download."""
        try:
            info = await self.client.files_info(file=row.slack_file_id or "")
        except SlackApiError as exc:
            code = slack_error(exc)
            if code in GONE_ERRORS:
                raise FileGone(GONE_ERRORS[code]) from None
            raise as_delivery_error(exc) from None
        found = info.get("file") or {}
        url = found.get("url_private_download") or found.get("url_private")
        if not url:
            raise DeliveryError(f"Slack gave no download for {row.name}", permanent=True)
        headers = {"Authorization": f"Bearer {self.client.token}"}
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                async with http.get(url, headers=headers) as response:
                    if response.status in GONE_STATUSES:
                        raise FileGone(GONE_STATUSES[response.status])
                    if response.status != 200:
                        raise DeliveryError(f"Slack answered {response.status} for {row.name}")
                    return await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"could not fetch {row.name} from Slack ({exc})") from None

    def _row(self, attachment_id: int) -> Attachment | None:
        with self.db.session() as session:
            return session.get(Attachment, attachment_id)

    def _not_attached(self, issue_id: int | None, attachment_id: int | None, reason: str) -> None:
        """Done with a file that is gone: recorded on the timeline, never tried again."""
        with self.db.session() as session:
            issue, row = session.get(Issue, issue_id), session.get(Attachment, attachment_id)
            if issue is None or row is None:
                return
            row.posted_at = self.clock.now()
            session.add(row)
            add_event(
                session,
                issue,
                IncidentEvent.NOT_ATTACHED,
                self.clock,
                None,
                name=row.name,
                reason=reason,
            )

    def _posted(self, attachment_id: int | None, file_id: str) -> None:
        with self.db.session() as session:
            row = session.get(Attachment, attachment_id)
            if row is not None:
                row.posted_file_id, row.posted_at = file_id or None, self.clock.now()
                session.add(row)
