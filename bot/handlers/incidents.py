"""An issue's life from Slack: the lifecycle commands, the card's buttons, the
proposals and reporter DMs, and the small update and severity modals."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import SEVERITY_WORDS_HINT, Priority, Severity, Status, parse_severity
from bot.core.durations import parse_duration
from bot.core.errors import FirebellError
from bot.core.ids import Action, Callback, IssueKey, ModalField
from bot.core.membership import Visible, visible_to
from bot.core.people import Actor
from bot.handlers.carried import STALE, detail_of, form_issue, issue_id_of
from bot.handlers.command_parser import (
    BadArguments,
    IssueText,
    OnIssue,
    choice,
    issue_text,
    leading_key,
    mention,
    on_issue,
    one_word,
    split_key,
)
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Later, Reply
from bot.handlers.replies import open_view, replace_message
from bot.incidents.card import issue_card
from bot.incidents.lifecycle import Changed
from bot.incidents.lifecycle_views import (
    NEXT_UPDATE_CHOICES,
    proposal_taken,
    severity_modal,
    update_modal,
)
from bot.incidents.list_views import list_blocks, timeline_blocks
from bot.incidents.queries import get_issue, list_issues, timeline
from bot.incidents.rules import require_steer
from bot.playbooks.model import Role
from bot.serving.runtime import Runtime
from storage.db import Database

# -- commands -----------------------------------------------------------------


@dataclass(frozen=True)
class Assign:
    key: IssueKey | None
    user_id: str


@dataclass(frozen=True)
class SetRole:
    key: IssueKey | None
    role: Role
    user_id: str


@dataclass(frozen=True)
class SetSeverity:
    key: IssueKey | None
    severity: Severity


@dataclass(frozen=True)
class SetPriority:
    key: IssueKey | None
    priority: Priority


@dataclass(frozen=True)
class MoveStatus:
    key: IssueKey | None
    status: Status


@dataclass(frozen=True)
class Publish:
    """`status publish <text>`: words for customers on the public status page."""

    key: IssueKey | None
    text: str


@dataclass(frozen=True)
class ListScope:
    scope: str = "open"  # open | mine | all


LIST_TITLES = {"open": "Open issues", "mine": "My open issues", "all": "All issues"}


def parse_assign(rest: str) -> Assign:
    key, words = split_key(rest)
    return Assign(key, mention(words))


def parse_role(rest: str) -> SetRole:
    key, words = split_key(rest)
    if not words:
        raise BadArguments()
    return SetRole(key, choice(Role, words[0], "role"), mention(words[1:]))


def parse_severity_command(rest: str) -> SetSeverity:
    key, words = split_key(rest)
    word = one_word(words)
    severity = parse_severity(word)
    if severity is None:
        raise BadArguments(f"`{word}` is not a severity: use {SEVERITY_WORDS_HINT}.")
    return SetSeverity(key, severity)


def parse_priority(rest: str) -> SetPriority:
    key, words = split_key(rest)
    return SetPriority(key, choice(Priority, one_word(words), "priority"))


def parse_status(rest: str) -> MoveStatus | Publish:
    key, text = leading_key(rest)
    head, *tail = text.split(None, 1) or [""]
    if head.lower() == PUBLISH:  # `status publish` publishes; `status <word>` moves
        later_key, words_for_customers = leading_key("".join(tail).strip())
        return Publish(key or later_key, words_for_customers)
    key, words = split_key(rest)
    status = choice(Status, one_word(words), "status")
    if status == Status.NEW:
        raise FirebellError("An issue cannot go back to New; `reopen` moves it to Assigned.")
    return MoveStatus(key, status)


def parse_list(rest: str) -> ListScope:
    _, words = split_key(rest)  # a key means nothing to a list, as before
    scope = words[0].lower() if words else "open"
    if len(words) > 1 or scope not in LIST_TITLES:
        raise BadArguments()
    return ListScope(scope)


async def _change(
    req: CommandRequest, key: IssueKey | None, call: Callable[..., Changed], *args: Any
) -> Reply:
    issue = await req.issue(key)
    return call(issue.id, await req.actor(), *args).message


async def assign(req: CommandRequest, args: Assign) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.assign, args.user_id)


async def set_role(req: CommandRequest, args: SetRole) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.set_role, args.role, args.user_id)


async def set_severity(req: CommandRequest, args: SetSeverity) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.set_severity, args.severity)


async def set_priority(req: CommandRequest, args: SetPriority) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.set_priority, args.priority)


async def move_status(req: CommandRequest, args: MoveStatus | Publish) -> Reply:
    if isinstance(args, Publish):
        issue = await req.issue(args.key)
        publish, actor = req.runtime.status_page.publish, await req.actor()
        return (await req.runtime.db.run(publish, issue.id, actor, args.text)).message
    return await _change(req, args.key, req.runtime.lifecycle.move_status, args.status)


async def acknowledge_command(req: CommandRequest, args: OnIssue) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.acknowledge)


async def fixed(req: CommandRequest, args: OnIssue) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.move_status, Status.FIXED)


async def deployed(req: CommandRequest, args: OnIssue) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.mark_deployed)


async def close(req: CommandRequest, args: IssueText) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.close, args.text or None)


async def reopen(req: CommandRequest, args: OnIssue) -> Reply:
    return await _change(req, args.key, req.runtime.lifecycle.reopen)


async def update(req: CommandRequest, args: IssueText) -> Reply:
    """`/incident update <text>` posts it; `/incident update` alone opens the form."""
    if args.text:
        return await _change(req, args.key, req.runtime.lifecycle.post_update, args.text)
    issue = await req.issue(args.key)
    view = update_modal(issue.id, issue.key, publishable=publishable(req.runtime, issue))
    req.later(open_view(req.client, req.body, view), "update form")
    return None


async def show(req: CommandRequest, args: OnIssue) -> Reply:
    return issue_card(await req.issue(args.key), with_actions=False)[1]


async def show_timeline(req: CommandRequest, args: OnIssue) -> Reply:
    issue = await req.issue(args.key)
    return timeline_blocks(issue, await req.runtime.db.run(timeline, req.runtime.db, issue.id))


async def list_command(req: CommandRequest, args: ListScope) -> Reply:
    db = req.runtime.db
    visible = await db.run(_visible_list, db, args.scope, req.user_id)
    return list_blocks(LIST_TITLES[args.scope], visible, req.runtime.clock.now())


def _visible_list(db: Database, scope: str, user_id: str) -> Visible:
    """The list's issues its reader may see, read in the database's threads."""
    return visible_to(db, list_issues(db, scope, user_id), user_id)


SEVERITY_USAGE = "<trivial|minor|major|critical|sev1-sev4|p1-p4>"
PUBLISH = "publish"
STATUS_USAGE = f"<assigned|revise|retest|fixed|closed> | {PUBLISH} <words for customers>"
COMMANDS = (
    Command("assign", "@person", "make someone the assignee", parse_assign, assign),
    Command(
        "role",
        "<commander|comms|scribe> @person",
        "name the commander, comms or scribe",
        parse_role,
        set_role,
    ),
    Command(
        "severity",
        SEVERITY_USAGE,
        "change the reporter-facing severity",
        parse_severity_command,
        set_severity,
    ),
    Command(
        "priority",
        "<low|medium|high>",
        "change the engineering priority",
        parse_priority,
        set_priority,
    ),
    Command(
        "status",
        STATUS_USAGE,
        "move the status (New → Assigned → Revise ↔ Retest → Fixed → Closed); "
        f"`{PUBLISH}` puts an update on the public status page",
        parse_status,
        move_status,
    ),
    Command(
        "update",
        "[what is happening now]",
        "post a status update to the channel and the timeline",
        issue_text,
        update,
    ),
    Command(
        "ack",
        "",
        "acknowledge; on an issue nobody leads, you take it",
        on_issue,
        acknowledge_command,
        aliases=("acknowledge",),
    ),
    Command("fixed", "", "mark the fix done (from Retest)", on_issue, fixed),
    Command("deployed", "", "mark the fix deployed (after fixed)", on_issue, deployed),
    Command(
        "close",
        "[resolution summary]",
        "close a fixed issue, with an optional resolution summary",
        issue_text,
        close,
    ),
    Command("reopen", "", "reopen a fixed or closed issue", on_issue, reopen),
    Command("show", "[INC-n]", "the issue's card, just for you", on_issue, show),
    Command("list", "[open|mine|all]", "open issues, yours, or all", parse_list, list_command),
    Command("timeline", "[INC-n]", "what happened, in order", on_issue, show_timeline),
)

# -- buttons ------------------------------------------------------------------


async def acknowledge(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (await runtime.db.run(runtime.lifecycle.acknowledge, issue_id_of(value), actor)).message


async def assign_me(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (
        await runtime.db.run(runtime.lifecycle.assign, issue_id_of(value), actor, actor.user_id)
    ).message


async def mark_fixed(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (
        await runtime.db.run(runtime.lifecycle.move_status, issue_id_of(value), actor, Status.FIXED)
    ).message


async def move(
    runtime: Runtime,
    client: AsyncWebClient,
    body: dict[str, Any],
    later: Later,
    actor: Actor,
    value: str,
) -> Reply:
    """The proposal's "Move to …": once pressed, the proposal says who moved it."""
    try:
        target = Status(detail_of(value))
    except ValueError:
        raise FirebellError(STALE) from None
    changed = await runtime.db.run(runtime.lifecycle.move_status, issue_id_of(value), actor, target)
    text, blocks = proposal_taken(changed.issue, target, actor.user_id)
    later(replace_message(client, body, text, blocks), "mark the proposal used")
    return changed.message


async def updates_off(runtime: Runtime, actor: Actor, value: str) -> Reply:
    changed = await runtime.db.run(
        runtime.lifecycle.set_reporter_updates, issue_id_of(value), actor, on=False
    )
    return f"{changed.message} You can still follow it in <#{changed.issue.channel_id}>."


async def ask_update(
    runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later, value: str
) -> Reply:
    issue = await runtime.db.run(get_issue, runtime.db, issue_id_of(value))
    view = update_modal(issue.id or 0, issue.key, publishable=publishable(runtime, issue))
    later(open_view(client, body, view), "open update modal")
    return None


async def ask_severity(
    runtime: Runtime,
    client: AsyncWebClient,
    body: dict[str, Any],
    later: Later,
    actor: Actor,
    value: str,
) -> Reply:
    issue = await runtime.db.run(get_issue, runtime.db, issue_id_of(value))
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


def publishable(runtime: Runtime, issue: Any) -> bool:
    """Whether the update form offers the status page (never for a private issue)."""
    return runtime.config.status_page is not None and not issue.private


def ticked(values: dict[str, Any], field: ModalField) -> bool:
    """Whether a checkbox (its option's value is the field's) was ticked; any other shape
    of answer is "not ticked"."""
    block = values.get(field.value)
    element = block.get(field.value) if isinstance(block, dict) else None
    options = element.get("selected_options") if isinstance(element, dict) else None
    chosen = options if isinstance(options, list) else []
    return any(isinstance(o, dict) and o.get("value") == field.value for o in chosen)


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
    issue_id, publish = form_issue(meta), ticked(values, ModalField.UPDATE_PUBLISH)
    if publish:  # refused on the form before anything is posted: never half of it
        try:
            await runtime.db.run(runtime.status_page.may, issue_id, actor, text)
        except FirebellError as exc:
            raise FirebellError(exc.message, field=ModalField.UPDATE_PUBLISH.value) from None
    await runtime.db.run(
        runtime.lifecycle.post_update, issue_id, actor, text, impact or None, next_in
    )
    if publish:
        return (await runtime.db.run(runtime.status_page.publish, issue_id, actor, text)).message
    return None


async def submit_severity(
    runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    try:
        severity = Severity(field_value(values, ModalField.SEVERITY))
    except ValueError:
        raise FirebellError("Choose a severity.", field=ModalField.SEVERITY.value) from None
    await runtime.db.run(runtime.lifecycle.set_severity, form_issue(meta), actor, severity)
    return None


MODALS = {
    Callback.UPDATE_MODAL: (submit_update, ModalField.UPDATE_TEXT.value),
    Callback.SEVERITY_MODAL: (submit_severity, ModalField.SEVERITY.value),
}
