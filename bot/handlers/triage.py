"""Triage from Slack: `/incident search` and `/incident summary` (a catch-up for someone
joining late)."""

from __future__ import annotations

from bot.core.people import visible_to
from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Reply
from bot.runtime import Runtime
from bot.triage.catch_up_views import catch_up_blocks
from bot.triage.search import find_issues
from bot.triage.search_views import search_blocks


async def search(req: CommandRequest) -> Reply:
    query = req.command.text
    found = find_issues(req.runtime.db, req.runtime.search, query)
    visible = await visible_to(req.client, found, req.user_id)  # private: members only
    return search_blocks(query, visible, req.runtime.clock.now())


async def summary(req: CommandRequest) -> Reply:
    issue = await req.issue()  # only for those who may see it: the answer is theirs alone
    if (kept := req.runtime.catch_ups.kept(issue.id)) is not None:
        return catch_up_blocks(kept)
    req.later(_catch_up(req.runtime, req, issue.id), "catch up")
    return f"Catching up on {issue.key}…"


async def _catch_up(runtime: Runtime, req: CommandRequest, issue_id: int) -> Reply:
    return catch_up_blocks(await runtime.catch_ups.catch_up(req.client, issue_id))


COMMANDS = {"search": search, "summary": summary}
