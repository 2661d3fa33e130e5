"""Reviews from Slack: `/incident review` and `followups`, the Draft, Edit and
Publish buttons, the edit form, and a follow-up's Mark done."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ids import Action, Callback, ModalField
from bot.core.people import Actor
from bot.handlers.carried import form_issue, issue_id_of
from bot.handlers.command_parser import BadArguments, OnIssue, on_issue, split_key
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Later, Reply
from bot.handlers.replies import open_view
from bot.incidents.report_form import FormErrors
from bot.reviews.content import ActionItem
from bot.reviews.edit_checks import ActionRow, check_edit
from bot.reviews.views import ACTION_ROWS, edit_modal, followups_blocks
from bot.serving.runtime import Runtime


async def draft(runtime: Runtime, client: AsyncWebClient, issue_id: int, user_id: str) -> Reply:
    """Slow work after the ack: read the channel, ask the model or fill the template."""
    return (await runtime.reviews.draft_from_channel(client, issue_id, user_id)).message


@dataclass(frozen=True)
class FollowupsArgs:
    mine: bool = False


def parse_followups(rest: str) -> FollowupsArgs:
    _, words = split_key(rest)
    if words not in ([], ["mine"]):
        raise BadArguments()
    return FollowupsArgs(mine=bool(words))


async def review(req: CommandRequest, args: OnIssue) -> Reply:
    issue = await req.issue(args.key)
    req.later(draft(req.runtime, req.client, issue.id, req.user_id), "draft review")
    return f"Drafting the review of {issue.key}; it will appear in <#{issue.channel_id}>."


async def followups(req: CommandRequest, args: FollowupsArgs) -> Reply:
    listing = await req.runtime.db.run(req.runtime.followups.listing, req.user_id, args.mine)
    ids = [followup.id or 0 for followup, _issue in listing]
    in_jira = await req.runtime.db.run(req.runtime.jira.followups.keys, ids)
    return followups_blocks(listing, args.mine, in_jira)


async def draft_button(
    runtime: Runtime, client: AsyncWebClient, later: Later, user_id: str, value: str
) -> Reply:
    later(draft(runtime, client, issue_id_of(value), user_id), "draft review")
    return None


async def edit_button(
    runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later, value: str
) -> Reply:
    issue, content = await runtime.db.run(runtime.reviews.for_editing, issue_id_of(value))
    view = edit_modal(issue.id or 0, issue.key, content)
    later(open_view(client, body, view), "open review editor")
    return None


async def publish_button(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return await runtime.db.run(runtime.reviews.publish, issue_id_of(value), actor)


async def followup_done(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return await runtime.db.run(runtime.followups.finish, issue_id_of(value), actor)


def parse_edit(values: dict[str, Any], today: date) -> tuple[str, list[str], list[ActionItem]]:
    """The form's values, or every problem with them at once (block id -> message); the
    checks are bot/reviews/edit_checks.py's, shared with the web app's review page."""

    def element(block: str) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block, {}).get(block, {})
        return found

    root = str(element(ModalField.ROOT_CAUSE.value).get("value") or "")
    factors = str(element(ModalField.FACTORS.value).get("value") or "")
    rows = [
        ActionRow(
            str(element(f"{ModalField.ACTION_TITLE.value}{row}").get("value") or ""),
            str(element(f"{ModalField.ACTION_OWNER.value}{row}").get("selected_user") or ""),
            str(element(f"{ModalField.ACTION_DUE.value}{row}").get("selected_date") or ""),
        )
        for row in range(1, ACTION_ROWS + 1)
    ]
    return check_edit(root, factors, rows, today)


async def submit_edit(
    ack: Any, runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    try:
        root, factors, actions = parse_edit(values, runtime.clock.now().date())
    except FormErrors as exc:
        await ack(response_action="errors", errors=exc.errors)
        return None
    await runtime.db.run(runtime.reviews.edit, form_issue(meta), actor, root, factors, actions)
    return None


COMMANDS = (
    Command(
        "review", "[INC-n]", "draft the post-incident review from the timeline", on_issue, review
    ),
    Command(
        "followups",
        "[mine]",
        "open follow-ups from published reviews (yours with `mine`)",
        parse_followups,
        followups,
    ),
)
BUTTONS = {
    Action.REVIEW_DRAFT: draft_button,
    Action.REVIEW_EDIT: edit_button,
    Action.REVIEW_PUBLISH: publish_button,
    Action.FOLLOWUP_DONE: followup_done,
}
MODALS = {Callback.REVIEW_EDIT_MODAL: (submit_edit, ModalField.ROOT_CAUSE.value)}
