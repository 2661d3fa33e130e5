"""`/incident` and its subcommands: parse, call a service, answer ephemerally."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import Status
from bot.core.errors import FirebellError, new_error_id
from bot.core.ids import SLASH_COMMAND
from bot.handlers.command_parser import Command, parse_command
from bot.handlers.help import help_text
from bot.handlers.people import actor_for, can_see, require_can_see
from bot.handlers.replies import apology, open_view_or_explain
from bot.handlers.reviews import draft_review
from bot.incidents.card import issue_card
from bot.incidents.list_views import list_blocks, oncall_blocks, timeline_blocks
from bot.incidents.queries import list_issues, resolve_issue, timeline
from bot.incidents.report_modal import ReportPrefill, report_modal
from bot.reviews.views import followups_blocks
from bot.runtime import CONTEXT_KEY, Runtime

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Request:
    runtime: Runtime
    client: AsyncWebClient
    body: dict[str, Any]
    command: Command

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    def issue(self) -> Any:
        return resolve_issue(
            self.runtime.db,
            self.command.issue_number,
            self.body.get("channel_id"),
            self.command.name,
        )


Reply = str | list[dict[str, Any]]
Handler = Callable[[Request], Awaitable[Reply]]


async def _change(req: Request, call: Callable[..., Any], *args: Any) -> Reply:
    issue = req.issue()
    await require_can_see(req.client, issue, req.user_id)
    actor = await actor_for(req.runtime, req.client, req.user_id)
    changed = call(issue.id, actor, *args)
    req.runtime.worker.kick()
    return str(changed.message)


async def _assign(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.assign, req.command.user_id)


async def _role(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.set_role, req.command.role, req.command.user_id)


async def _severity(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.set_severity, req.command.severity)


async def _priority(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.set_priority, req.command.priority)


async def _status(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.move_status, req.command.status)


async def _update(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.post_update, req.command.text)


async def _ack(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.acknowledge)


async def _fixed(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.move_status, Status.FIXED)


async def _deployed(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.mark_deployed)


async def _close(req: Request) -> Reply:
    return await _change(
        req, req.runtime.lifecycle.move_status, Status.CLOSED, req.command.text or None
    )


async def _reopen(req: Request) -> Reply:
    return await _change(req, req.runtime.lifecycle.reopen)


async def _show(req: Request) -> Reply:
    issue = req.issue()
    await require_can_see(req.client, issue, req.user_id)
    return issue_card(issue, with_actions=False)[1]


async def _timeline(req: Request) -> Reply:
    issue = req.issue()
    await require_can_see(req.client, issue, req.user_id)
    return timeline_blocks(issue, timeline(req.runtime.db, issue.id))


async def _list(req: Request) -> Reply:
    scope = req.command.scope
    found = list_issues(req.runtime.db, scope, req.user_id)
    visible = [i for i in found if await can_see(req.client, i, req.user_id)]
    title = {"open": "Open issues", "mine": "My open issues", "all": "All issues"}[scope]
    return list_blocks(title, visible, req.runtime.clock.now())


async def _escalate(req: Request) -> Reply:
    issue = req.issue()
    await require_can_see(req.client, issue, req.user_id)
    reply = req.runtime.engine.escalate_now(issue.id, req.user_id)
    req.runtime.background.spawn(_tick(req.runtime), "escalate now")
    return reply


async def _tick(runtime: Runtime) -> None:
    runtime.engine.tick()
    runtime.worker.kick()


async def _oncall(req: Request) -> Reply:
    return oncall_blocks(req.runtime.oncall.who(req.command.schedule))


async def _override(req: Request) -> Reply:
    actor = await actor_for(req.runtime, req.client, req.user_id)
    assert req.command.schedule and req.command.user_id and req.command.duration
    return req.runtime.oncall.add_override(
        req.command.schedule, actor, req.command.user_id, req.command.duration
    )


async def _review(req: Request) -> Reply:
    issue = req.issue()
    await require_can_see(req.client, issue, req.user_id)
    req.runtime.background.spawn(
        draft_review(req.runtime, req.client, req.body, issue.id, req.user_id), "draft review"
    )
    return f"Drafting the review of {issue.key}; it will appear in <#{issue.channel_id}>."


async def _followups(req: Request) -> Reply:
    mine = req.command.scope == "mine"
    return followups_blocks(req.runtime.followups.listing(req.user_id, mine), mine)


HANDLERS: dict[str, Handler] = {
    "assign": _assign,
    "role": _role,
    "severity": _severity,
    "priority": _priority,
    "status": _status,
    "update": _update,
    "ack": _ack,
    "fixed": _fixed,
    "deployed": _deployed,
    "close": _close,
    "reopen": _reopen,
    "show": _show,
    "list": _list,
    "timeline": _timeline,
    "escalate": _escalate,
    "oncall": _oncall,
    "override": _override,
    "review": _review,
    "followups": _followups,
}


async def incident_command(
    ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    runtime: Runtime = context[CONTEXT_KEY]
    try:
        command = parse_command(body.get("text", ""))
        if command.name == "help":
            await ack(text=help_text(command.problem))
            return
        if command.name == "new":
            await ack()
            view = report_modal(ReportPrefill(title=command.text))
            runtime.background.spawn(open_view_or_explain(client, body, view), "open report")
            return
        reply = await HANDLERS[command.name](Request(runtime, client, body, command))
    except FirebellError as exc:
        reply = exc.message
    except Exception:
        error_id = new_error_id()
        log.exception("/incident %s failed, error id %s", body.get("text", ""), error_id)
        reply = apology(error_id)
    if isinstance(reply, str):
        await ack(text=reply)
    else:
        heading = reply[0].get("text", {}).get("text", "Firebell") if reply else "Firebell"
        await ack(text=heading, blocks=reply)


def register(app: AsyncApp) -> None:
    app.command(SLASH_COMMAND)(incident_command)
