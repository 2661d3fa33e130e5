"""Insights from Slack: `/incident stats`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.core.membership import visible_to
from bot.handlers.command_parser import BadArguments, split_key
from bot.handlers.commands import Command, CommandRequest
from bot.handlers.listener import Reply
from bot.insights.figures import a_person, baseline, figures, period, slowest_open
from bot.insights.stats_views import stats_blocks
from storage.db import Database

PERIODS = {"7d": 7, "30d": 30, "90d": 90}


@dataclass(frozen=True)
class StatsArgs:
    days: int = 30
    service: str | None = None


def parse_stats(rest: str) -> StatsArgs:
    """`stats [7d|30d|90d] [service <name>]`, in either order."""
    _, words = split_key(rest)
    days, service = 30, None
    while words:
        word = words.pop(0).lower()
        if word in PERIODS:
            days = PERIODS[word]
        elif word == "service" and words:
            service = words.pop(0)[:80]
        else:
            raise BadArguments(example="7d service checkout-api")
    return StatsArgs(days, service)


async def stats(req: CommandRequest, args: StatsArgs) -> Reply:
    now = req.runtime.clock.now()
    # The figures read two periods of issues: in the database's threads, off the loop.
    return await req.runtime.db.run(_stats, req.runtime.db, args, req.user_id, now)


def _stats(db: Database, args: StatsArgs, user_id: str, now: datetime) -> list[dict[str, Any]]:
    days, service = args.days, args.service
    before_start, start, end = period(now, days)
    # Private issues count for everyone; named (by a service filter) only for members.
    reader = a_person(user_id)
    current = figures(db, start, end, service, now=now, audience=reader)
    before = baseline(db, before_start, start, service, audience=reader)
    # The three open longest; a private one among them its reader may not see is a count.
    longest = slowest_open(db, 3, service, reader)
    slowest = visible_to(db, longest, user_id)
    return stats_blocks(current, before, days, slowest, now, service)


COMMANDS = (
    Command(
        "stats",
        "[7d|30d|90d] [service <name>]",
        "time to acknowledge, fix and deploy, SLA compliance, against the period before",
        parse_stats,
        stats,
    ),
)
