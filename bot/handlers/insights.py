"""Insights from Slack: `/incident stats`."""

from __future__ import annotations

from bot.core.membership import visible_to
from bot.handlers.commands import CommandRequest
from bot.handlers.listener import Reply
from bot.insights.figures import figures, period, slowest_open
from bot.insights.stats_views import stats_blocks


async def stats(req: CommandRequest) -> Reply:
    days, service = req.command.days, req.command.service
    now = req.runtime.clock.now()
    before_start, start, end = period(now, days)
    current = figures(req.runtime.db, start, end, service, now=now)
    before = figures(req.runtime.db, before_start, start, service, now=now)
    # The three open longest; a private one among them its reader may not see is a count.
    slowest = visible_to(req.runtime.db, slowest_open(req.runtime.db, 3, service), req.user_id)
    return stats_blocks(current, before, days, slowest, now, service)


COMMANDS = {"stats": stats}
