"""The weekly review digest message."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import button, clip, context, escape, header, section
from bot.core.domain import label
from bot.core.ids import Action

LIST_MAX = 10
STALE_MAX = 10


def _line(issue: Any) -> str:
    where = f" <#{issue.channel_id}>" if issue.channel_id else ""
    count = f" · ×{issue.occurrences}" if issue.occurrences > 1 else ""
    return (
        f"*{issue.key}* {escape(clip(issue.title, 80))}{where} · {label(issue.severity)} · "
        f"{label(issue.status)}{count}"
    )


def _list(title: str, issues: list[Any]) -> dict[str, Any]:
    lines = [_line(i) for i in issues[:LIST_MAX]]
    if len(issues) > LIST_MAX:
        lines.append(f"…and {len(issues) - LIST_MAX} more")
    return section(f"*{title}* ({len(issues)})\n" + ("\n".join(lines) or "None."))


def digest_message(content: Any, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    blocks: list[dict[str, Any]] = [
        header(f"Weekly issue review · {now:%d %b %Y}"),
        _list("Open issues, most severe and most frequent first", content.ranked),
        _list("SLA at risk", content.at_risk),
        _list("SLA breached", content.breached),
        section(f"*Stale* ({len(content.stale)}): no activity for a while. Still relevant?"),
    ]
    for issue, last in content.stale[:STALE_MAX]:
        days = (now - last).days
        blocks.append(section(f"{_line(issue)} · quiet for {days} days"))
        blocks.append(
            {
                "type": "actions",
                "block_id": f"stale:{issue.id}",
                "elements": [
                    button("Still relevant", Action.DIGEST_KEEP, str(issue.id)),
                    button("Close", Action.DIGEST_CLOSE, str(issue.id), "danger"),
                ],
            }
        )
    if len(content.stale) > STALE_MAX:
        blocks.append(context(f"…and {len(content.stale) - STALE_MAX} more stale issues."))
    if content.private.note():
        blocks.append(context(f"Not listed here: {content.private.note()}."))
    text = (
        f"Weekly issue review: {len(content.ranked)} open, {len(content.at_risk)} at risk, "
        f"{len(content.breached)} breached, {len(content.stale)} stale"
    )
    return text, blocks
