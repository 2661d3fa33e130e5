"""An issue's life from Slack: the lifecycle commands, the card's buttons, the
proposals and reporter DMs, and the small update and severity modals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import Severity, Status
from bot.core.durations import parse_duration
from bot.core.errors import FirebellError
from bot.core.ids import Action, Callback, ModalField
from bot.core.membership import visible_to
from bot.core.people import Actor
from bot.handlers.carried import STALE, detail_of, form_issue, issue_id_of
from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Later, Reply
from bot.handlers.replies import open_view
from bot.incidents.card import issue_card
from bot.incidents.lifecycle import Changed
from bot.incidents.lifecycle_views import NEXT_UPDATE_CHOICES, severity_modal, update_modal
from bot.incidents.list_views import list_blocks, timeline_blocks
from bot.incidents.queries import get_issue, list_issues, timeline
from bot.incidents.rules import require_steer
from bot.runtime import Runtime

# -- commands -----------------------------------------------------------------


async def _change(req: CommandRequest, call: Callable[..., Changed], *args: Any) -> Reply:
    issue = await req.issue()
    return call(issue.id, await req.actor(), *args).message


def _lifecycle(name: str, *fields: str, fixed: tuple[Any, ...] = ()) -> Any:
    """A command that calls one Lifecycle method with the parsed fields as arguments."""

    async def command(req: CommandRequest) -> Reply:
        method = getattr(req.runtime.lifecycle, name)
        args = [getattr(req.command, f) for f in fields]
        return await _change(req, method, *args, *fixed)

    return command


async def close(req: CommandRequest) -> Reply:
    lifecycle = req.runtime.lifecycle
    return await _change(req, lifecycle.move_status, Status.CLOSED, req.command.text or None)


async def update(req: CommandRequest) -> Reply:
    """`/incident update <text>` posts it; `/incident update` alone opens the form."""
    if req.command.text:
        return await _change(req, req.runtime.lifecycle.post_update, req.command.text)
    issue = await req.issue()
    req.later(open_view(req.client, req.body, update_modal(issue.id, issue.key)), "update form")
    return None


async def show(req: CommandRequest) -> Reply:
    return issue_card(await req.issue(), with_actions=False)[1]


async def show_timeline(req: CommandRequest) -> Reply:
    issue = await req.issue()
    return timeline_blocks(issue, timeline(req.runtime.db, issue.id))


async def list_command(req: CommandRequest) -> Reply:
    scope = req.command.scope
    found = list_issues(req.runtime.db, scope, req.user_id)
    visible = visible_to(req.runtime.db, found, req.user_id)
    title = {"open": "Open issues", "mine": "My open issues", "all": "All issues"}[scope]
    return list_blocks(title, visible, req.runtime.clock.now())


COMMANDS = {
    "assign": _lifecycle("assign", "user_id"),
    "role": _lifecycle("set_role", "role", "user_id"),
    "severity": _lifecycle("set_severity", "severity"),
    "priority": _lifecycle("set_priority", "priority"),
    "status": _lifecycle("move_status", "status"),
    "update": update,
    "ack": _lifecycle("acknowledge"),
    "fixed": _lifecycle("move_status", fixed=(Status.FIXED,)),
    "deployed": _lifecycle("mark_deployed"),
    "close": close,
    "reopen": _lifecycle("reopen"),
    "show": show,
    "list": list_command,
    "timeline": show_timeline,
}

# -- buttons ------------------------------------------------------------------


async def acknowledge(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.lifecycle.acknowledge(issue_id_of(value), actor).message


async def assign_me(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.lifecycle.assign(issue_id_of(value), actor, actor.user_id).message


async def mark_fixed(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.lifecycle.move_status(issue_id_of(value), actor, Status.FIXED).message


async def move(runtime: Runtime, actor: Actor, value: str) -> Reply:
    try:
        target = Status(detail_of(value))
    except ValueError:
        raise FirebellError(STALE) from None
    return runtime.lifecycle.move_status(issue_id_of(value), actor, target).message


async def updates_off(runtime: Runtime, actor: Actor, value: str) -> Reply:
    changed = runtime.lifecycle.set_reporter_updates(issue_id_of(value), actor, on=False)
    return f"{changed.message} You can still follow it in <#{changed.issue.channel_id}>."


async def ask_update(
    runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later, value: str
) -> Reply:
    issue = get_issue(runtime.db, issue_id_of(value))
    later(open_view(client, body, update_modal(issue.id or 0, issue.key)), "open update modal")
    return None


async def ask_severity(
    runtime: Runtime,
    client: AsyncWebClient,
    body: dict[str, Any],
    later: Later,
    actor: Actor,
    value: str,
) -> Reply:
    issue = get_issue(runtime.db, issue_id_of(value))
    require_steer(issue, actor, "change the severity")
    view = severity_modal(issue.id or 0, issue.key, issue.severity)
    later(open_view(client, body, view), "open severity modal")
    return None


BUTTONS = {
    Action.ACK: acknowledge,
    Action.ASSIGN_ME: assign_me,
    Action.MARK_FIXED: mark_fixed,
    Action.MOVE_STATUS: move,
    Action.REPORTER_UPDATES_OFF: updates_off,
    Action.POST_UPDATE: ask_update,
    Action.CHANGE_SEVERITY: ask_severity,
}

# -- modals -------------------------------------------------------------------


def field_value(values: dict[str, Any], field: ModalField) -> str:
    element = values.get(field.value, {}).get(field.value, {})
    if "selected_option" in element:
        return str((element["selected_option"] or {}).get("value", ""))
    return str(element.get("value") or "")


async def submit_update(
    runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    text = field_value(values, ModalField.UPDATE_TEXT)
    impact = field_value(values, ModalField.UPDATE_IMPACT)
    chosen = field_value(values, ModalField.NEXT_UPDATE)
    if chosen and chosen not in NEXT_UPDATE_CHOICES:
        raise FirebellError(
            "Choose when the next update is due.", field=ModalField.NEXT_UPDATE.value
        )
    next_in = parse_duration(chosen) if chosen else None
    runtime.lifecycle.post_update(form_issue(meta), actor, text, impact or None, next_in)
    return None


async def submit_severity(
    runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    try:
        severity = Severity(field_value(values, ModalField.SEVERITY))
    except ValueError:
        raise FirebellError("Choose a severity.", field=ModalField.SEVERITY.value) from None
    runtime.lifecycle.set_severity(form_issue(meta), actor, severity)
    return None


MODALS = {
    Callback.UPDATE_MODAL: (submit_update, ModalField.UPDATE_TEXT.value),
    Callback.SEVERITY_MODAL: (submit_severity, ModalField.SEVERITY.value),
}
