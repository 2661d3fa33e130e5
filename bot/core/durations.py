"""Durations written as people write them: 15m, 4h, 1d, 1w, 1h30m."""

from __future__ import annotations

import re
from datetime import timedelta

PART = re.compile(r"(\d+)([mhdw])")
UNIT = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}


def parse_duration(text: str) -> timedelta:
    """'1h30m' -> 90 minutes. Raises ValueError with what would work."""
    cleaned = text.strip().lower().replace(" ", "")
    parts = PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"'{text}' is not a duration; write it like 15m, 4h, 1d, 1w or 1h30m")
    seconds = sum(int(n) * UNIT[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"'{text}' must be longer than zero")
    return timedelta(seconds=seconds)


def format_duration(delta: timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return " ".join(p for p in parts if p) or "0m"
