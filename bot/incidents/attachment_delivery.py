"""Posting a report's files into the issue's channel (the outbox's `PostAttachment`).

A file uploaded to Firebell is posted from its stored bytes; a file already in Slack (a
modal's file input, a message filed with *File an issue*) is fetched from Slack with the
bot's token and posted again, so everyone in the issue's channel can open it, not only
those who saw the original. Each upload's title names the attachment, so a retry after
an attempt that may have reached Slack finds the file instead of posting it twice."""

from __future__ import annotations

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.outbox import DeliveryError
from bot.core.slack_steps import SlackSteps, slack_error
from bot.incidents import kinds
from storage.db import Database
from storage.models import Attachment, Issue

DOWNLOAD_SECONDS = 60


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
        if row is None or row.posted_file_id is not None:
            return
        channel, title = self.channel(issue), upload_title(issue, row)
        posted = await self.already_shared(channel, title) if self.retrying() else None
        if posted is None:
            data = row.data if row.data is not None else await self._from_slack(row)
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
            raise DeliveryError(
                f"Slack no longer has {row.name} ({code})", permanent=code == "file_not_found"
            ) from None
        found = info.get("file") or {}
        url = found.get("url_private_download") or found.get("url_private")
        if not url:
            raise DeliveryError(f"Slack gave no download for {row.name}", permanent=True)
        headers = {"Authorization": f"Bearer {self.client.token}"}
        timeout = aiohttp.ClientTimeout(total=DOWNLOAD_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                async with http.get(url, headers=headers) as response:
                    if response.status != 200:
                        raise DeliveryError(
                            f"Slack answered {response.status} for {row.name}",
                            permanent=response.status in (403, 404, 410),
                        )
                    return await response.read()
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"could not fetch {row.name} from Slack ({exc})") from None

    def _row(self, attachment_id: int) -> Attachment | None:
        with self.db.session() as session:
            return session.get(Attachment, attachment_id)

    def _posted(self, attachment_id: int | None, file_id: str) -> None:
        with self.db.session() as session:
            row = session.get(Attachment, attachment_id)
            if row is not None:
                row.posted_file_id, row.posted_at = file_id or None, self.clock.now()
                session.add(row)
