"""Triage from Slack: `/incident summary` (a catch-up for someone joining late)."""

from __future__ import annotations

from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Reply
from bot.runtime import Runtime
from bot.triage.catch_up_views import catch_up_blocks


async def summary(req: CommandRequest) -> Reply:
    issue = await req.issue()  # only for those who may see it: the answer is theirs alone
    if (kept := req.runtime.catch_ups.kept(issue.id)) is not None:
        return catch_up_blocks(kept)
    req.later(_catch_up(req.runtime, req, issue.id), "catch up")
    return f"Catching up on {issue.key}…"


async def _catch_up(runtime: Runtime, req: CommandRequest, issue_id: int) -> Reply:
    return catch_up_blocks(await runtime.catch_ups.catch_up(req.client, issue_id))


COMMANDS = {"summary": summary}
