"""Outside tools from Slack: `/incident jira [INC-n] [PROJECT]`, and `/incident jira
followups [INC-n]`, which reads the issue's open follow-ups from the reviews slice and
hands them to the integrations slice (the two are peers: only a handler sees both)."""

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
    followups: bool = False


def parse_jira(rest: str) -> JiraArgs:
    key, words = split_key(rest)
    if words[:1] and words[0].lower() == "followups":
        if len(words) > 1:
            raise BadArguments("`followups` takes only an issue key.", example="followups INC-7")
        return JiraArgs(key, followups=True)
    if len(words) > 1 or (words and not PROJECT.match(words[0])):
        raise BadArguments("A Jira project is one key such as `OPS`.", example="OPS")
    return JiraArgs(key, words[0].upper() if words else None)


async def jira(req: CommandRequest, args: JiraArgs) -> Reply:
    issue = await req.issue(args.key)
    rt = req.runtime
    if args.followups:
        followups = await rt.db.run(rt.followups.open_of, issue.id)
        return await rt.db.run(rt.jira.followups.export, issue.id, req.user_id, followups)
    return await rt.db.run(rt.jira.request, issue.id, req.user_id, args.project)


COMMANDS = (
    Command(
        "jira",
        "[INC-n] [PROJECT] | followups [INC-n]",
        "create the issue's Jira issue (in PROJECT, else jira.project), statuses following "
        "both ways; `followups`: each open follow-up as a Jira issue linked to it",
        parse_jira,
        jira,
    ),
)
