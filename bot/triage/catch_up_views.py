"""The catch-up, as the ephemeral answer someone joining late reads."""

from __future__ import annotations

from typing import Any

from bot.core.blocks import clip, context, escape, escape_keep_mentions, header, section
from bot.triage.catch_up import KEPT_FOR, CatchUp

PARTS = (
    ("what_happened", "What happened"),
    ("where_things_stand", "Where things stand"),
    ("who_is_on_it", "Who is on it"),
    ("what_comes_next", "What comes next"),
)


def catch_up_blocks(found: CatchUp) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [header(f"Catching up on {found.issue_key}")]
    for key, title in PARTS:
        words = escape_keep_mentions(getattr(found.text, key), found.people)
        blocks.append(section(f"*{title}*\n{clip(words, 2800)}"))
    minutes = int(KEPT_FOR.total_seconds() // 60)
    if found.source == "model":
        where = "Drafted by the model from the channel and the timeline"
    else:
        where = f"From the record ({escape(found.note)})" if found.note else "From the record"
    blocks.append(context(f"{where}. Kept for {minutes} minutes."))
    return blocks
