"""Read-only views: an issue list and a timeline."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, header, section, slack_date
from bot.core.domain import label
from bot.core.membership import Visible
from bot.core.timeline import describe_event
from bot.incidents.queries import TimelineExcerpt
from bot.incidents.status_words import since
from storage.models import Issue


def timeline_blocks(issue: Issue, excerpt: TimelineExcerpt) -> list[dict[str, Any]]:
    events = [*excerpt.first, *excerpt.latest]
    lines = [f"{slack_date(e.at)} · {describe_event(e)}" for e in excerpt.first]
    if excerpt.left_out:
        lines.append(
            f"_… {excerpt.left_out} more events between these "
            f"({excerpt.total} in all; the review's timeline has every one)_"
        )
    lines += [f"{slack_date(e.at)} · {describe_event(e)}" for e in excerpt.latest]
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
    where = f" <#{issue.channel_id}>" if issue.channel_id else ""
    lead = f" · lead <@{issue.commander_id}>" if issue.commander_id else " · *nobody leads*"
    return (
        f"*{issue.key}* {escape(clip(issue.title, 80))}{where}\n"
        f"{label(issue.status)} · {label(issue.severity)}{lead} · {since(issue, now)}"
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
