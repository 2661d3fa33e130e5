"""A report's files go into the issue's channel once, whatever the outbox retries."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.core.domain import IssueType, Severity
from bot.demo.harness import running
from bot.incidents.attachments import AttachmentIn
from bot.incidents.drafts import IssueDraft
from sandbox import Sandbox
from tests.helpers import channel_of, fresh, timeline_kinds

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8


async def test_a_reports_screenshot_is_posted_into_the_new_channel(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    dana = sandbox.workspace.add_user("dana", "Dana")
    try:
        async with running(database_url, clock=clock, sandbox=sandbox) as h:
            runtime = h.firebell.runtime
            shot = AttachmentIn("checkout.png", "image/png", len(PNG), "web", data=PNG)
            draft = IssueDraft(
                title="Checkout button hidden",
                type=IssueType.BUG,
                severity=Severity.MINOR,
                reporter_id=dana.id,
                attachments=(shot,),
            )
            filed = await runtime.db.run(runtime.filing.file, draft, "test:attachment")
            await h.firebell.settle()
            issue = fresh(runtime.db, filed.issue)
            channel = channel_of(h, issue)
            shared = [f for f in sandbox.workspace.files.values() if channel.id in f["channels"]]
            assert [(f["name"], f["content"]) for f in shared] == [("checkout.png", PNG)]
            assert shared[0]["title"].startswith(f"{issue.key} attachment ")
            assert "attached" in timeline_kinds(runtime.db, issue)
    finally:
        await sandbox.stop()
