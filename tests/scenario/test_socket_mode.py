"""Socket Mode: the same capture flow over the sandbox's websocket."""

from __future__ import annotations

from bot.app import create_app
from bot.core.clock import FakeClock
from bot.demo.harness import sandbox_settings
from bot.serving.socket_mode import connect_socket_mode
from sandbox import Sandbox, SlackDriver
from tests.helpers import GOOD_REPORT, only_issue


async def test_socket_mode_files_an_issue(database_url: str, clock: FakeClock) -> None:
    sandbox = await Sandbox().start()
    firebell = create_app(
        sandbox_settings(sandbox, database_url, slack_signing_secret=None), clock=clock
    )
    handler = await connect_socket_mode(firebell, sandbox.workspace.app_token)
    driver = SlackDriver(sandbox, mode="socket")
    ws = sandbox.workspace
    try:
        dana = ws.add_user("dana", "Dana")
        support = ws.add_channel("support", dana, ws.bot)
        help_ack = await driver.slash_command(dana, support, "help")
        assert "Firebell commands" in help_ack.text
        assert [c.method for c in ws.calls if c.method == "apps.connections.open"]

        await driver.slash_command(dana, support, "new Socket issue")
        view = await ws.wait_for(lambda: next(iter(ws.open_views_of(dana.id)), None))
        bad = await driver.submit_view(dana, view, {"type": "bug"})
        assert bad.json["response_action"] == "errors" and "severity" in bad.json["errors"]
        await driver.submit_view(dana, view, {**GOOD_REPORT, "title": "Socket issue"})
        await firebell.settle()
        issue = only_issue(firebell.runtime.db)
        assert issue.title == "Socket issue" and issue.channel_id in ws.channels

        # The triage commands go through the same dispatcher over the socket.
        room = ws.channels[issue.channel_id or ""]
        found = await driver.slash_command(dana, support, "search socket")
        assert "INC-1" in str(found.json)
        sam = ws.add_user("sam", "Sam")
        paged = await driver.slash_command(dana, room, f"page <@{sam.id}> please look")
        assert paged.text == f"Paged <@{sam.id}> about INC-1."
        await firebell.settle()
        assert any("please look" in m.text for m in ws.dms_to(sam.id))
    finally:
        await handler.close_async()
        await firebell.stop()
        await driver.close()
        await sandbox.stop()
