"""Triage from Slack: `/incident search` and `/incident summary` (a catch-up for someone
joining late)."""

from __future__ import annotations

from typing import Any

from bot.core.errors import FirebellError
from bot.core.ids import Action
from bot.core.membership import require_can_see, visible_to
from bot.core.people import Actor
from bot.handlers.carried import STALE, detail_of, issue_id_of
from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Reply
from bot.incidents.queries import issue_by_number
from bot.runtime import Runtime
from bot.triage.catch_up_views import catch_up_blocks
from bot.triage.search import find_issues
from bot.triage.search_views import search_blocks


async def search(req: CommandRequest) -> Reply:
    query = req.command.text
    found = find_issues(req.runtime.db, req.runtime.search, query)
    visible = visible_to(req.runtime.db, found, req.user_id)  # private: members only
    return search_blocks(query, visible, req.runtime.clock.now())


async def _other(req: CommandRequest) -> Any:
    """The second issue of `merge` and `link`, if the user may see it."""
    assert req.command.other_number is not None
    other = issue_by_number(req.runtime.db, req.command.other_number)
    require_can_see(req.runtime.db, other, req.user_id)
    return other


async def merge(req: CommandRequest) -> Reply:
    duplicate, into = await req.issue(), await _other(req)
    return req.runtime.merges.merge(duplicate.id, into.id, await req.actor()).message


async def link(req: CommandRequest) -> Reply:
    first, second = await req.issue(), await _other(req)
    return req.runtime.merges.link(first.id, second.id, await req.actor()).message


def _second_id(value: str) -> int:
    detail = detail_of(value)
    if not detail.isdigit() or len(detail) > 12:
        raise FirebellError(STALE)
    return int(detail)


async def merge_button(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.merges.merge(issue_id_of(value), _second_id(value), actor).message


async def not_duplicate(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return runtime.merges.dismiss(issue_id_of(value), _second_id(value), actor).message


async def summary(req: CommandRequest) -> Reply:
    issue = await req.issue()  # only for those who may see it: the answer is theirs alone
    if (kept := req.runtime.catch_ups.kept(issue.id)) is not None:
        return catch_up_blocks(kept)
    req.later(_catch_up(req.runtime, req, issue.id), "catch up")
    return f"Catching up on {issue.key}…"


async def _catch_up(runtime: Runtime, req: CommandRequest, issue_id: int) -> Reply:
    return catch_up_blocks(await runtime.catch_ups.catch_up(req.client, issue_id))


COMMANDS = {"search": search, "summary": summary, "merge": merge, "link": link}
BUTTONS = {Action.MERGE_DUPLICATE: merge_button, Action.NOT_DUPLICATE: not_duplicate}
