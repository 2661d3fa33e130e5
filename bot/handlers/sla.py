"""SLAs from Slack: escalate, on-call and overrides; a page's Acknowledge; the
digest's Still relevant and Close."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ids import Action
from bot.core.people import Actor
from bot.handlers.carried import issue_id_of
from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Later, Reply
from bot.serving.runtime import Runtime
from bot.sla.views import oncall_blocks, page_answered


async def escalate(req: CommandRequest) -> Reply:
    issue = await req.issue()
    reply = req.runtime.engine.escalate_now(issue.id, req.user_id)
    req.later(_tick_now(req.runtime), "escalate now")
    return reply


async def _tick_now(runtime: Runtime) -> Reply:
    runtime.engine.tick()
    return None


async def page(req: CommandRequest) -> Reply:
    issue = await req.issue()
    command = req.command
    assert command.target_kind is not None and command.target is not None
    # The trigger id names this press: Slack sending the same command twice pages once.
    key = str(req.body.get("trigger_id") or uuid.uuid4().hex)
    reply = req.runtime.pages.page(
        issue.id, req.user_id, command.target_kind, command.target, command.text, key
    )
    return reply


async def oncall(req: CommandRequest) -> Reply:
    return oncall_blocks(req.runtime.oncall.who(req.command.schedule))


async def override(req: CommandRequest) -> Reply:
    command = req.command
    assert command.schedule and command.user_id and command.duration  # the parser's promise
    return req.runtime.oncall.add_override(
        command.schedule, await req.actor(), command.user_id, command.duration
    )


async def page_ack(
    runtime: Runtime,
    client: AsyncWebClient,
    body: dict[str, Any],
    later: Later,
    actor: Actor,
    value: str,
) -> Reply:
    changed = runtime.responses.acknowledge_page(issue_id_of(value), actor)
    text, blocks = page_answered(changed.issue, actor.user_id, runtime.clock.now())
    dm = body.get("container") or {}
    if dm.get("channel_id") and dm.get("message_ts"):  # the page: its buttons are spent
        update = client.chat_update(
            channel=dm["channel_id"], ts=dm["message_ts"], text=text, blocks=blocks
        )
        later(_done(update), "mark the page acknowledged")
    return changed.message


async def _done(call: Awaitable[Any]) -> Reply:
    await call
    return None


async def open_channel() -> Reply:
    return None  # a link button: Slack opens the channel, the app only acks


async def digest_keep(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.responses.still_relevant(issue_id_of(value), actor).message


async def digest_close(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.responses.close_in_review(issue_id_of(value), actor).message


COMMANDS = {"escalate": escalate, "page": page, "oncall": oncall, "override": override}
BUTTONS = {
    Action.PAGE_ACK: page_ack,
    Action.OPEN_CHANNEL: open_channel,
    Action.DIGEST_KEEP: digest_keep,
    Action.DIGEST_CLOSE: digest_close,
}
