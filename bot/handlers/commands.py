"""`/incident` and its subcommands."""

from __future__ import annotations

from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.errors import FirebellError
from bot.handlers.replies import open_view_or_explain
from bot.ids import SLASH_COMMAND
from bot.runtime import CONTEXT_KEY, Runtime
from bot.services.commands import ShowHelp, parse_command
from bot.views.help import help_text
from bot.views.report_modal import ReportPrefill, report_modal


async def incident_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    try:
        command = parse_command(body.get("text", ""))
    except FirebellError as exc:
        await ack(text=exc.message)
        return
    if isinstance(command, ShowHelp):
        await ack(text=help_text(command.problem))
        return
    await ack()
    view = report_modal(ReportPrefill(title=command.title))
    runtime.background.spawn(open_view_or_explain(client, body, view), "open report modal")


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
