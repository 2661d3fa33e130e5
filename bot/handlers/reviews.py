"""Reviews from Slack: drafting (after the ack), Edit, Publish, follow-ups."""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.errors import FirebellError, new_error_id
from bot.core.ids import Callback, ModalField
from bot.handlers.people import actor_for
from bot.handlers.replies import apology, tell_user
from bot.incidents.filing import get_issue
from bot.incidents.lifecycle_views import modal_metadata
from bot.reviews.content import ActionItem
from bot.reviews.facts import Line
from bot.reviews.service import history_lines
from bot.reviews.views import ACTION_ROWS
from bot.runtime import Runtime

log = logging.getLogger(__name__)
PAGE = 200


async def channel_history(client: AsyncWebClient, channel: str | None, limit: int) -> list[Line]:
    """The issue channel's messages, paged, newest `limit` at most."""
    if not channel or limit <= 0:
        return []
    messages: list[dict[str, Any]] = []
    cursor = None
    try:
        bot_user = (await client.auth_test()).get("user_id")
        while len(messages) < limit:
            page = await client.conversations_history(
                channel=channel, cursor=cursor, limit=min(PAGE, limit - len(messages))
            )
            messages += page.get("messages") or []
            cursor = (page.get("response_metadata") or {}).get("next_cursor")
            if not page.get("has_more") or not cursor:
                break
    except SlackApiError as exc:
        log.warning("could not read history of %s: %s", channel, exc.response.get("error"))
        return []
    return history_lines(messages, bot_user)


async def draft_review(
    runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], issue_id: int, user_id: str
) -> None:
    """Slow work after the ack: read the channel, ask the model or fill the template."""
    try:
        issue = get_issue(runtime.db, issue_id)
        chatter = await channel_history(
            client, issue.channel_id, runtime.config.review.history_limit
        )
        drafted = await runtime.reviews.draft(issue_id, user_id, chatter)
        runtime.worker.kick()
        reply = drafted.message
    except FirebellError as exc:
        reply = exc.message
    except Exception:
        error_id = new_error_id()
        log.exception("drafting the review of issue %s failed, error id %s", issue_id, error_id)
        reply = apology(error_id)
    await tell_user(client, body, reply)


def parse_edit(values: dict[str, Any]) -> tuple[str, list[str], list[ActionItem]]:
    def element(block: str) -> dict[str, Any]:
        found: dict[str, Any] = values.get(block, {}).get(block, {})
        return found

    root = str(element(ModalField.ROOT_CAUSE.value).get("value") or "")
    factors_raw = str(element(ModalField.FACTORS.value).get("value") or "")
    factors = [line.strip("-• ").strip() for line in factors_raw.splitlines() if line.strip()]
    actions = []
    for row in range(1, ACTION_ROWS + 1):
        title = str(element(f"{ModalField.ACTION_TITLE.value}{row}").get("value") or "").strip()
        if not title:
            continue
        owner = element(f"{ModalField.ACTION_OWNER.value}{row}").get("selected_user")
        due = element(f"{ModalField.ACTION_DUE.value}{row}").get("selected_date")
        actions.append(
            ActionItem(title=title, owner=owner, due_date=date.fromisoformat(due) if due else None)
        )
    if not root.strip():
        raise FirebellError(
            "Write the root cause (or what is known of it so far).",
            field=ModalField.ROOT_CAUSE.value,
        )
    return root, factors[:20], actions


async def submit_edit(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context["firebell"]
    view = body["view"]
    try:
        root, factors, actions = parse_edit(view["state"]["values"])
        actor = await actor_for(runtime, client, body["user"]["id"])
        runtime.reviews.edit(
            modal_metadata(view.get("private_metadata"))["issue"], actor, root, factors, actions
        )
    except FirebellError as exc:
        await ack(
            response_action="errors", errors={exc.field or ModalField.ROOT_CAUSE.value: exc.message}
        )
        return
    await ack()
    runtime.worker.kick()


def register(app: AsyncApp) -> None:
    app.view(Callback.REVIEW_EDIT_MODAL.value)(submit_edit)
