"""SLAs from Slack: escalate, on-call and overrides; a page's Acknowledge; the
digest's Still relevant and Close."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal

from bot.core.ids import Action, IssueKey
from bot.core.people import Actor
from bot.handlers.carried import issue_id_of
from bot.handlers.command_parser import (
    BadArguments,
    OnIssue,
    duration,
    group_mention,
    leading_key,
    mention,
    on_issue,
    person_mention,
    split_key,
)
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Reply
from bot.serving.runtime import Runtime
from bot.sla.oncall import MAX_OVERRIDE
from bot.sla.targets import PageTarget, confirm_in_slack
from bot.sla.views import oncall_blocks


@dataclass(frozen=True)
class PageArgs:
    """`page [INC-n] <@person|@group|schedule <name>> [message]`."""

    key: IssueKey | None
    target_kind: Literal["user", "usergroup", "schedule"]
    target: str  # a user id, a user group id, or a schedule's name
    said: str = ""


@dataclass(frozen=True)
class OncallArgs:
    schedule: str | None = None


@dataclass(frozen=True)
class OverrideArgs:
    schedule: str
    user_id: str
    length: timedelta


def parse_page(rest: str) -> PageArgs:
    key, rest = leading_key(rest)
    head, *tail = rest.split(None, 1) or [""]
    said = tail[0].strip() if tail else ""
    if (user := person_mention(head)) is not None:
        return PageArgs(key, "user", user, said)
    if (group := group_mention(head)) is not None:
        return PageArgs(key, "usergroup", group, said)
    if head.lower() == "schedule" and said:
        schedule, *rest_of = said.split(None, 1)
        return PageArgs(key, "schedule", schedule, rest_of[0].strip() if rest_of else "")
    raise BadArguments(
        "Say whom to page: a person (@name), a user group (@group) or `schedule <name>`."
    )


def parse_oncall(rest: str) -> OncallArgs:
    _, words = split_key(rest)
    if len(words) > 1:
        raise BadArguments()
    return OncallArgs(words[0].lower() if words else None)


def parse_override(rest: str) -> OverrideArgs:
    _, words = split_key(rest)
    if len(words) != 3:
        raise BadArguments(example="primary @dana 4h")
    length = duration(words[2], longest=MAX_OVERRIDE)
    return OverrideArgs(words[0].lower(), mention(words[1:2]), length)


async def escalate(req: CommandRequest, args: OnIssue) -> Reply:
    issue = await req.issue(args.key)
    reply = await req.runtime.db.run(req.runtime.engine.escalate_now, issue.id, req.user_id)
    req.later(_tick_now(req.runtime), "escalate now")
    return reply


async def _tick_now(runtime: Runtime) -> Reply:
    await runtime.db.run(runtime.engine.tick)
    return None


async def page(req: CommandRequest, args: PageArgs) -> Reply:
    issue = await req.issue(args.key)
    # Before the ack, not after it: a refusal is the command's answer, and nothing is queued
    # for a person who is not there. The check has its own short limit within the 3 s.
    await confirm_in_slack(req.client, PageTarget.of(args.target_kind, args.target))
    # The trigger id names this press: Slack sending the same command twice pages once.
    key = str(req.body.get("trigger_id") or uuid.uuid4().hex)
    pages, who = req.runtime.pages, req.user_id
    return await req.runtime.db.run(
        pages.page, issue.id, who, args.target_kind, args.target, args.said, key
    )


async def oncall(req: CommandRequest, args: OncallArgs) -> Reply:
    return oncall_blocks(await req.runtime.db.run(req.runtime.oncall.who, args.schedule))


async def override(req: CommandRequest, args: OverrideArgs) -> Reply:
    actor = await req.actor()
    return await req.runtime.db.run(
        req.runtime.oncall.add_override, args.schedule, actor, args.user_id, args.length
    )


async def page_ack(runtime: Runtime, body: dict[str, Any], actor: Actor, value: str) -> Reply:
    # The page's buttons are spent: the outbox edits it, with every other page DM.
    dm = body.get("container") or {}
    pressed = (
        (str(dm["channel_id"]), str(dm["message_ts"]))
        if dm.get("channel_id") and dm.get("message_ts")
        else None
    )
    return (
        await runtime.db.run(runtime.responses.acknowledge_page, issue_id_of(value), actor, pressed)
    ).message


async def open_channel() -> Reply:
    return None  # a link button: Slack opens the channel, the app only acks


async def digest_keep(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (
        await runtime.db.run(runtime.responses.still_relevant, issue_id_of(value), actor)
    ).message


async def digest_close(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (
        await runtime.db.run(runtime.responses.close_in_review, issue_id_of(value), actor)
    ).message


COMMANDS = (
    Command(
        "escalate",
        "",
        "page the next escalation step now (or start escalating)",
        on_issue,
        escalate,
    ),
    Command(
        "page",
        "<@person|@group|schedule <name>> [message]",
        "page a person, a user group or whoever is on call, now",
        parse_page,
        page,
    ),
    Command("oncall", "[schedule]", "who is on call now and next", parse_oncall, oncall),
    Command(
        "override",
        "<schedule> @person <duration>",
        "put someone on call for a while (admins and whoever is on call)",
        parse_override,
        override,
    ),
)
BUTTONS = {
    Action.PAGE_ACK: page_ack,
    Action.OPEN_CHANNEL: open_channel,
    Action.DIGEST_KEEP: digest_keep,
    Action.DIGEST_CLOSE: digest_close,
}
