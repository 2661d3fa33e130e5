"""`/incident` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import FirebellError
from bot.handlers.replies import open_view_or_explain
from bot.ids import SLASH_COMMAND
from bot.services.commands import NewIssue, ShowHelp, parse_command
from bot.views.help import help_text
from bot.views.report_modal import ReportPrefill, report_modal


async def incident_command(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
    try:
        command = parse_command(body.get("text", ""))
    except FirebellError as exc:
        await ack(text=exc.message)
        return
    if isinstance(command, ShowHelp):
        await ack(text=help_text(command.problem))
        return
    assert isinstance(command, NewIssue)
    await ack()
    await open_view_or_explain(client, body, report_modal(ReportPrefill(title=command.title)))


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
