"""Capture: `/incident new`, the shortcuts, and submitting the "Report an issue" modal."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import FirebellError
from bot.core.ids import SLASH_COMMAND, Callback, Field
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Later, Reply
from bot.handlers.replies import open_view
from bot.incidents.drafts import IssueDraft, Source
from bot.incidents.file_rules import FileLimits
from bot.incidents.report_files import carried, from_file_input, slack_files
from bot.incidents.report_form import TITLE_MAX, FormErrors, parse_report
from bot.incidents.report_modal import ReportPrefill, decode_files, decode_metadata, report_modal
from bot.serving.runtime import Runtime


@dataclass(frozen=True)
class NewIssue:
    title: str = ""


def parse_new(rest: str) -> NewIssue:
    if len(rest) > TITLE_MAX:
        raise FirebellError(
            f"That title is {len(rest)} characters; keep it to {TITLE_MAX} or fewer. "
            f"Example: `{SLASH_COMMAND} new Checkout fails for EU users`"
        )
    return NewIssue(rest)


def file_limits(runtime: Runtime) -> FileLimits:
    """What a report's files may be: the intake's types and size (firebell.yml)."""
    intake = runtime.config.intake
    return intake.file_limits()


async def new(req: CommandRequest, args: NewIssue) -> Reply:
    view = report_modal(ReportPrefill(title=args.title), file_limits(req.runtime))
    req.later(open_view(req.client, req.body, view), "open report modal")
    return None


async def file_from_message(
    client: AsyncWebClient, body: dict[str, Any], later: Later, runtime: Runtime
) -> Reply:
    later(_open_prefilled(client, body, runtime), "open report modal from a message")
    return None


async def _open_prefilled(client: AsyncWebClient, body: dict[str, Any], runtime: Runtime) -> Reply:
    message, channel = body["message"], body["channel"]
    try:
        link = await client.chat_getPermalink(channel=channel["id"], message_ts=message["ts"])
        permalink: str | None = link["permalink"]
    except SlackApiError:
        permalink = None  # the issue is still worth filing without the link
    prefill = ReportPrefill(
        description=message.get("text", ""),
        source=Source(channel_id=channel["id"], message_ts=message["ts"], permalink=permalink),
        source_channel_name=channel.get("name"),
        files=slack_files(message.get("files")),
    )
    await open_view(client, body, report_modal(prefill, file_limits(runtime)))
    return None


async def declare(
    client: AsyncWebClient, body: dict[str, Any], later: Later, runtime: Runtime
) -> Reply:
    view = report_modal(ReportPrefill(), file_limits(runtime))
    later(open_view(client, body, view), "open report modal")
    return None


async def submit_report(
    ack: Any, runtime: Runtime, view: dict[str, Any], user_id: str, values: dict[str, Any]
) -> Reply:
    metadata = view.get("private_metadata")
    limits = file_limits(runtime)
    # The fields and the files are checked together: every problem shows in one round.
    uploaded, errors = from_file_input(values, limits)
    draft: IssueDraft | None = None
    try:
        draft = parse_report(values, reporter_id=user_id, source=decode_metadata(metadata))
    except FormErrors as exc:
        errors = {**exc.errors, **errors}
    if errors or draft is None:
        await ack(response_action="errors", errors=errors)
        return None
    # The message's files, then those uploaded (one Slack file is carried once).
    files = {f.slack_file_id: f for f in (*carried(decode_files(metadata), limits), *uploaded)}
    draft = replace(draft, attachments=tuple(files.values()))
    # The view id is the same for a double submit and for Slack's retries.
    await runtime.db.run(runtime.filing.file, draft, f"view:{view['id']}")
    return None


COMMANDS = (
    Command(
        "new", "[title]", "open the Report an issue form (the title filled in)", parse_new, new
    ),
)
SHORTCUTS = {Callback.FILE_ISSUE_SHORTCUT: file_from_message, Callback.DECLARE_SHORTCUT: declare}
MODALS = {Callback.REPORT_MODAL: (submit_report, Field.TITLE.value)}
