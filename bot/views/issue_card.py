"""The summary card pinned in an issue's channel, and the messages around filing."""

from __future__ import annotations

from typing import Any

from bot.domain import label
from bot.views.blocks import clip, code_block, context, escape, fields, header, section
from storage.models import Issue


def issue_card(issue: Issue) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks for the pinned card."""
    pairs = [
        ("Status", label(issue.status)),
        ("Severity (reporter)", label(issue.severity)),
        ("Priority (engineering)", label(issue.priority) if issue.priority else "Not set"),
        ("Type", label(issue.type)),
        ("Reporter", f"<@{issue.reporter_id}>"),
    ]
    if issue.service:
        pairs.append(("Service", escape(issue.service)))
    if issue.users_affected is not None:
        pairs.append(("Users affected", f"{issue.users_affected:,}"))
    if issue.trace_id:
        pairs.append(("Trace ID", f"`{escape(issue.trace_id)}`"))
    blocks: list[dict[str, Any]] = [header(f"{issue.key}: {issue.title}"), fields(pairs)]
    if issue.description:
        blocks.append(section("*Description*\n" + escape(issue.description)))
    if issue.environment:
        blocks.append(section("*Environment*\n" + escape(issue.environment)))
    if issue.stack_trace:
        blocks.append(code_block(issue.stack_trace))
    # <!date^…> shows the time in each reader's own time zone; the fallback is UTC.
    stamp = int(issue.created_at.timestamp())
    fallback = f"{issue.created_at:%Y-%m-%d %H:%M} UTC"
    filed = f"Filed <!date^{stamp}^{{date_short_pretty}} {{time}}|{fallback}>"
    if issue.source_permalink:
        filed += f" from <{issue.source_permalink}|this message>"
    if issue.private:
        filed += " · :lock: private"
    blocks.append(context(filed))
    text = f"{issue.key}: {issue.title} ({label(issue.severity)})"
    return clip(text, 3000), blocks


def reporter_confirmation(issue: Issue) -> str:
    return (
        f"Thanks, your report is filed as *{issue.key}*: {escape(issue.title)}.\n"
        f"Follow it and talk to the responders in <#{issue.channel_id}>."
    )


def source_thread_reply(issue: Issue) -> str:
    if issue.private:
        return (
            f":white_check_mark: Filed as *{issue.key}* (private). "
            "The reporter was added to its channel."
        )
    return f":white_check_mark: Filed as *{issue.key}*. Follow along in <#{issue.channel_id}>."
