"""The reporter's DMs link to the issue's page in the web app when Firebell has a public
address (FIREBELL_BASE_URL, the one the card uses), and are unchanged without one."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.demo.harness import running
from sandbox import Sandbox
from tests.helpers import channel_of, file_report, run
from tests.scenario.test_web_sign_in import WEB

BASE = "https://firebell.example.com/a&b"  # an odd but valid address: '&' is escaped


@pytest.mark.parametrize("base", [None, BASE])
async def test_reporter_dms_link_to_the_issue_page_only_with_a_base_url(
    database_url: str, clock: FakeClock, base: str | None
) -> None:
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    try:
        async with running(
            database_url, clock=clock, sandbox=sandbox, firebell_base_url=base, **WEB
        ) as h:
            issue = await file_report(h, dana, support, title="Checkout is slow")
            room = channel_of(h, issue)
            await run(h, sam, room, "ack")  # a status DM (dm_reporter_update)
            await run(h, sam, room, "update Rolling back the config")  # news (dm_reporter_news)
            await h.firebell.settle()
            dms = h.ws.dms_to(dana.id)
            moved = next(m for m in dms if "someone in engineering has taken it" in m.text)
            news = next(m for m in dms if m.text.startswith("Update on INC-1"))
            link = "<https://firebell.example.com/a&amp;b/issues/INC-1|Open in Firebell's web app>"
            for dm in (moved, news):
                if base:
                    assert link in str(dm.blocks)
                    assert "a&b" not in str(dm.blocks)  # escaped as Slack's mrkdwn wants
                else:
                    assert "Open in Firebell's web app" not in str(dm.blocks)
                    assert "/issues/INC-" not in str(dm.blocks)
                assert "Stop these updates" in str(dm.blocks)
    finally:
        await sandbox.stop()
