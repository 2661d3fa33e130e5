"""`/incident search`: the matching issues its reader may see, best first."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, header, section
from bot.core.membership import Visible
from bot.incidents.list_views import issue_line

SHOWN = 10


def search_blocks(query: str, visible: Visible, now: datetime) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [header(f"Search: {clip(query, 100)}")]
    if not visible.shown and not visible.private_hidden:
        blocks.append(section(f"No issue matches `{escape(clip(query, 100))}`."))
    for issue in visible.shown[:SHOWN]:
        blocks.append(section(issue_line(issue, now)))
    more = len(visible.shown) - SHOWN
    if more > 0:
        blocks.append(context(f"…and {more} more; add words to narrow it."))
    if visible.note():
        blocks.append(context(f"+ {visible.note()}."))
    return blocks
