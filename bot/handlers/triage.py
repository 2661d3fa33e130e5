"""Triage from Slack: `/incident search` and `/incident summary` (a catch-up for someone
joining late)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.ids import Action, IssueKey
from bot.core.membership import Visible, require_can_see, visible_to
from bot.core.people import Actor
from bot.handlers.carried import issue_id_of, other_issue_id_of
from bot.handlers.command_parser import BadArguments, OnIssue, issue_key, on_issue
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Reply
from bot.incidents.queries import issue_by_number
from bot.serving.runtime import Runtime
from bot.triage.catch_up_views import catch_up_blocks
from bot.triage.merge import AskFirst, Reporters
from bot.triage.search import SearchIndex, find_issues
from bot.triage.search_views import search_blocks
from bot.triage.views import merge_question
from storage.db import Database


@dataclass(frozen=True)
class SearchArgs:
    words: str


@dataclass(frozen=True)
class PairArgs:
    """`merge [INC-n] into INC-m`, `link [INC-n] INC-m`: the first defaults to this
    channel's issue."""

    first: IssueKey | None
    other: IssueKey


def parse_search(rest: str) -> SearchArgs:
    if not rest:
        raise BadArguments("Say what to look for.")
    return SearchArgs(rest[:300])


def parse_pair(rest: str, *, joined_by: str = "") -> PairArgs:
    words = [w for w in rest.split() if w.lower() != joined_by]
    keys = [issue_key(w) for w in words]
    if not words or len(words) > 2 or None in keys:
        raise BadArguments("Name the issues by key.")
    first = keys[0] if len(keys) == 2 else None
    other = keys[-1]
    assert other is not None  # every word is a key, checked above
    return PairArgs(first, other)


def parse_merge(rest: str) -> PairArgs:
    return parse_pair(rest, joined_by="into")


async def search(req: CommandRequest, args: SearchArgs) -> Reply:
    query, db = args.words, req.runtime.db
    visible = await db.run(_found_visible, db, req.runtime.search, query, req.user_id)
    return search_blocks(query, visible, req.runtime.clock.now())


def _found_visible(db: Database, index: SearchIndex, query: str, user_id: str) -> Visible:
    """The matches its reader may see (private: members only), in the database's threads."""
    return visible_to(db, find_issues(db, index, query), user_id)


async def _other(req: CommandRequest, key: IssueKey) -> Any:
    """The second issue of `merge` and `link`, if the user may see it."""
    db = req.runtime.db

    def visible() -> Any:
        other = issue_by_number(db, key.number)
        require_can_see(db, other, req.user_id)
        return other

    return await db.run(visible)


async def merge(req: CommandRequest, args: PairArgs) -> Reply:
    duplicate, into = await req.issue(args.first), await _other(req, args.other)
    return await _merged(req.runtime, duplicate.id, into.id, await req.actor())


async def link(req: CommandRequest, args: PairArgs) -> Reply:
    first, second = await req.issue(args.first), await _other(req, args.other)
    actor = await req.actor()
    return (await req.runtime.db.run(req.runtime.merges.link, first.id, second.id, actor)).message


async def _merged(
    runtime: Runtime, duplicate_id: int, into_id: int, actor: Actor, choice: Reporters | None = None
) -> Reply:
    """The merge, or the question it waits on (reporters who may not see a private issue)."""
    try:
        return (
            await runtime.db.run(runtime.merges.merge, duplicate_id, into_id, actor, choice)
        ).message
    except AskFirst as ask:
        return merge_question(ask.question)


# Button values were read and their issues' visibility checked (handlers/button_checks.py).
async def merge_button(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return await _merged(runtime, issue_id_of(value), other_issue_id_of(value), actor)


async def merge_adding_reporters(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return await _merged(
        runtime, issue_id_of(value), other_issue_id_of(value), actor, Reporters.ADD
    )


async def merge_keeping_reporters_out(runtime: Runtime, actor: Actor, value: str) -> Reply:
    duplicate, into = issue_id_of(value), other_issue_id_of(value)
    return await _merged(runtime, duplicate, into, actor, Reporters.KEEP_OUT)


async def not_duplicate(runtime: Runtime, actor: Actor, value: str) -> Reply:
    return (
        await runtime.db.run(
            runtime.merges.dismiss, issue_id_of(value), other_issue_id_of(value), actor
        )
    ).message


async def summary(req: CommandRequest, args: OnIssue) -> Reply:
    issue = await req.issue(args.key)  # only for those who may see it: the answer is theirs alone
    if (kept := await req.runtime.db.run(req.runtime.catch_ups.kept, issue.id)) is not None:
        return catch_up_blocks(kept)
    req.later(_catch_up(req.runtime, req, issue.id), "catch up")
    return f"Catching up on {issue.key}…"


async def _catch_up(runtime: Runtime, req: CommandRequest, issue_id: int) -> Reply:
    return catch_up_blocks(await runtime.catch_ups.catch_up(req.client, issue_id))


COMMANDS = (
    Command(
        "summary",
        "[INC-n]",
        "catch up: what happened, where it stands, who is on it, what is next",
        on_issue,
        summary,
    ),
    Command(
        "merge",
        "[INC-n] into INC-m",
        "close an issue as a duplicate of another; its reporters follow that one",
        parse_merge,
        merge,
    ),
    Command(
        "link",
        "[INC-n] INC-m",
        "mark two issues as related (shown on both cards)",
        parse_pair,
        link,
    ),
    Command(
        "search",
        "<words>",
        "find issues by words in titles, descriptions, traces, updates, pins",
        parse_search,
        search,
    ),
)
BUTTONS = {
    Action.MERGE_DUPLICATE: merge_button,
    Action.NOT_DUPLICATE: not_duplicate,
    Action.MERGE_ADD_REPORTERS: merge_adding_reporters,
    Action.MERGE_KEEP_REPORTERS_OUT: merge_keeping_reporters_out,
}
