"""Read-only views: an issue list and a timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, header, section, slack_date
from bot.core.domain import label
from bot.core.people import Visible
from bot.core.timeline import describe_event
from storage.models import Issue, TimelineEvent


def timeline_blocks(issue: Issue, events: list[TimelineEvent]) -> list[dict[str, Any]]:
    lines = [f"{slack_date(e.at)} · {describe_event(e)}" for e in events]
    blocks: list[dict[str, Any]] = [header(f"Timeline of {issue.key}")]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if not events:
        blocks.append(section("Nothing recorded yet."))
    return blocks[:50]


def issue_line(issue: Issue, now: datetime) -> str:
    age = now - issue.created_at
    hours = int(age.total_seconds() // 3600)
    age_text = f"{hours // 24}d" if hours >= 48 else f"{hours}h"
    where = f" <#{issue.channel_id}>" if issue.channel_id else ""
    lead = f" · lead <@{issue.commander_id}>" if issue.commander_id else " · *nobody leads*"
    return (
        f"*{issue.key}* {escape(clip(issue.title, 80))}{where}\n"
        f"{label(issue.status)} · {label(issue.severity)}{lead} · open {age_text}"
    )


def list_blocks(title: str, visible: Visible, now: datetime) -> list[dict[str, Any]]:
    issues = visible.shown
    blocks: list[dict[str, Any]] = [header(title)]
    if not issues and not visible.private_hidden:
        blocks.append(section("No issues."))
    for issue in issues[:40]:
        blocks.append(section(issue_line(issue, now)))
    if len(issues) > 40:
        blocks.append(context(f"…and {len(issues) - 40} more."))
    if visible.note():
        blocks.append(context(f"+ {visible.note()}."))
    return blocks
