"""Outside tools from Slack: `/incident jira [INC-n] [PROJECT]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.handlers.command_parser import BadArguments, split_key
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Reply
from storage.issue_key import IssueKey

PROJECT = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,19}$")


@dataclass(frozen=True)
class JiraArgs:
    key: IssueKey | None = None
    project: str | None = None


def parse_jira(rest: str) -> JiraArgs:
    key, words = split_key(rest)
    if len(words) > 1 or (words and not PROJECT.match(words[0])):
        raise BadArguments("A Jira project is one key such as `OPS`.", example="OPS")
    return JiraArgs(key, words[0].upper() if words else None)


async def jira(req: CommandRequest, args: JiraArgs) -> Reply:
    issue = await req.issue(args.key)
    return await req.runtime.db.run(req.runtime.jira.request, issue.id, req.user_id, args.project)


COMMANDS = (
    Command(
        "jira",
        "[INC-n] [PROJECT]",
        "create the issue's Jira issue (in PROJECT, else jira.project); statuses follow both ways",
        parse_jira,
        jira,
    ),
)
