"""The feed message of an issue: what it is, where to go, where it stands."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, section, slack_date
from bot.core.domain import Status, label
from bot.core.durations import format_duration
from bot.core.reporters import reporter_text
from storage.models import Issue

ICONS = {"critical": ":red_circle:", "major": ":large_orange_circle:"}


def feed_message(issue: Issue, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    icon = ICONS.get(issue.severity, ":white_circle:")
    where = f" in <#{issue.channel_id}>" if issue.channel_id else ""
    service = f" · {escape(issue.service)}" if issue.service else ""
    headline = (
        f"{icon} *{issue.key}* {escape(clip(issue.title, 150))}{where}\n"
        f"{label(issue.severity)} · {label(issue.type)}{service} · "
        f"reported by {reporter_text(issue.reporter_id)}"
    )
    lead = f"lead <@{issue.commander_id}>" if issue.commander_id else "nobody leads yet"
    if issue.status == Status.CLOSED and issue.closed_at:
        state = f"*Closed* after {format_duration(issue.closed_at - issue.created_at)}"
    else:
        state = f"*{label(issue.status)}* · {lead}"
    # Slack notifies with `text`, parsed as mrkdwn: the title could ping from there too.
    text = clip(f"{issue.key} {escape(issue.title)} — {label(issue.status)}", 3000)
    return text, [section(headline), context(f"{state} · updated {slack_date(now)}")]
