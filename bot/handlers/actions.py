"""Buttons: on the card, the checklists, the proposals and the reporter's DMs."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import Status
from bot.core.errors import FirebellError, new_error_id
from bot.core.ids import Action
from bot.handlers.people import actor_for
from bot.handlers.replies import apology, open_view_or_explain, tell_user
from bot.handlers.reviews import draft_review
from bot.incidents.filing import get_issue
from bot.incidents.lifecycle_views import answer_modal, severity_modal, skip_modal, update_modal
from bot.incidents.rules import Actor, require_steer
from bot.reviews.service import content_of
from bot.reviews.views import edit_modal
from bot.runtime import CONTEXT_KEY, Runtime

log = logging.getLogger(__name__)

Work = Callable[[Runtime, AsyncWebClient, dict[str, Any], Actor, str], Awaitable[str | None]]


def _issue_id(value: str) -> int:
    return int(value.split(":", 1)[0])


def _detail(value: str) -> str:
    return value.split(":", 1)[1]


async def _ack(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.acknowledge(_issue_id(value), actor).message


async def _assign_me(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.assign(_issue_id(value), actor, actor.user_id).message


async def _mark_fixed(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.move_status(_issue_id(value), actor, Status.FIXED).message


async def _move(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.move_status(_issue_id(value), actor, Status(_detail(value))).message


async def _updates_off(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    changed = rt.lifecycle.set_reporter_updates(_issue_id(value), actor, on=False)
    return f"{changed.message} You can still follow it in <#{changed.issue.channel_id}>."


async def _post_update(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], _a: Actor, value: str
) -> str | None:
    issue = get_issue(rt.db, _issue_id(value))
    rt.background.spawn(
        open_view_or_explain(client, body, update_modal(issue.id or 0, issue.key)),
        "open update modal",
    )
    return None


async def _change_severity(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], actor: Actor, value: str
) -> str | None:
    issue = get_issue(rt.db, _issue_id(value))
    require_steer(issue, actor, "change the severity")
    view = severity_modal(issue.id or 0, issue.key, issue.severity)
    rt.background.spawn(open_view_or_explain(client, body, view), "open severity modal")
    return None


async def _step_done(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], actor: Actor, value: str
) -> str | None:
    issue_id, step_id = _issue_id(value), _detail(value)
    step = rt.checklist.find_step(issue_id, step_id)
    if step.question:
        view = answer_modal(issue_id, step_id, step.text, step.question)
        rt.background.spawn(open_view_or_explain(client, body, view), "open answer modal")
        return None
    return rt.checklist.complete(issue_id, actor, step_id)


async def _step_skip(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], _a: Actor, value: str
) -> str | None:
    issue_id, step_id = _issue_id(value), _detail(value)
    step = rt.checklist.find_step(issue_id, step_id)
    rt.background.spawn(
        open_view_or_explain(client, body, skip_modal(issue_id, step_id, step.text)),
        "open skip modal",
    )
    return None


async def _page_ack(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.acknowledge_page(_issue_id(value), actor).message


async def _open_channel(
    _rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], _a: Actor, _value: str
) -> str | None:
    return None  # a link button: Slack opens the channel, the app only acks


async def _digest_keep(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.still_relevant(_issue_id(value), actor).message


async def _digest_close(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.lifecycle.close_in_review(_issue_id(value), actor).message


async def _review_draft(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], actor: Actor, value: str
) -> str | None:
    rt.background.spawn(
        draft_review(rt, client, body, _issue_id(value), actor.user_id), "draft review"
    )
    return None


async def _review_edit(
    rt: Runtime, client: AsyncWebClient, body: dict[str, Any], _a: Actor, value: str
) -> str | None:
    issue, review = rt.reviews.get(_issue_id(value))
    if review.status == "published":
        return f"The review of {issue.key} is published; it no longer changes."
    view = edit_modal(issue.id or 0, issue.key, content_of(review))
    rt.background.spawn(open_view_or_explain(client, body, view), "open review editor")
    return None


async def _review_publish(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.reviews.publish(_issue_id(value), actor)


async def _followup_done(
    rt: Runtime, _c: AsyncWebClient, _b: dict[str, Any], actor: Actor, value: str
) -> str | None:
    return rt.followups.finish(_issue_id(value), actor)


WORK: dict[Action, Work] = {
    Action.REVIEW_DRAFT: _review_draft,
    Action.REVIEW_EDIT: _review_edit,
    Action.REVIEW_PUBLISH: _review_publish,
    Action.FOLLOWUP_DONE: _followup_done,
    Action.PAGE_ACK: _page_ack,
    Action.OPEN_CHANNEL: _open_channel,
    Action.DIGEST_KEEP: _digest_keep,
    Action.DIGEST_CLOSE: _digest_close,
    Action.ACK: _ack,
    Action.ASSIGN_ME: _assign_me,
    Action.MARK_FIXED: _mark_fixed,
    Action.MOVE_STATUS: _move,
    Action.REPORTER_UPDATES_OFF: _updates_off,
    Action.POST_UPDATE: _post_update,
    Action.CHANGE_SEVERITY: _change_severity,
    Action.STEP_DONE: _step_done,
    Action.STEP_SKIP: _step_skip,
}


def _handler(work: Work) -> Callable[..., Awaitable[None]]:
    async def handle(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        await ack()
        runtime: Runtime = context[CONTEXT_KEY]
        value = body["actions"][0].get("value", "")
        try:
            actor = await actor_for(runtime, client, body["user"]["id"])
            reply = await work(runtime, client, body, actor, value)
            runtime.worker.kick()
        except FirebellError as exc:
            reply = exc.message
        except Exception:
            error_id = new_error_id()
            log.exception(
                "button %s failed, error id %s", body["actions"][0]["action_id"], error_id
            )
            reply = apology(error_id)
        if reply:
            runtime.background.spawn(tell_user(client, body, reply), "button reply")

    return handle


def register(app: AsyncApp) -> None:
    for action, work in WORK.items():
        app.action(action.value)(_handler(work))
