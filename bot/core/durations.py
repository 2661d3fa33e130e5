"""Durations written as people write them: 15m, 4h, 1d, 1w, 1h30m."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Annotated

from pydantic import BeforeValidator

PART = re.compile(r"([0-9]+)([mhdw])")  # ASCII digits: int() would also read "١" or fail on "²"
UNIT = {"m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
# Nothing Firebell times (SLAs, shifts, overrides) is longer than a year; a longer
# duration is a typo, and a huge one would overflow timedelta.
LONGEST = timedelta(days=365)


def parse_duration(text: str, longest: timedelta = LONGEST) -> timedelta:
    """'1h30m' -> 90 minutes. Raises ValueError with what would work."""
    cleaned = text.strip().lower().replace(" ", "")
    parts = PART.findall(cleaned)
    if not cleaned or "".join(n + u for n, u in parts) != cleaned:
        raise ValueError(f"'{text}' is not a duration; write it like 15m, 4h, 1d, 1w or 1h30m")
    too_long = ValueError(f"'{text}' is too long; at most {_spoken(longest)}")
    # A billion minutes is 1,900 years; more digits are refused before int() reads
    # them (it refuses 4,300 digits or more, and timedelta overflows far sooner).
    if any(len(n.lstrip("0")) > 9 for n, _ in parts):
        raise too_long
    seconds = sum(int(n) * UNIT[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"'{text}' must be longer than zero")
    if seconds > longest.total_seconds():
        raise too_long
    return timedelta(seconds=seconds)


def _spoken(delta: timedelta) -> str:
    if delta.seconds == 0 and delta.days > 1:
        return f"{delta.days} days"
    return format_duration(delta)


def format_duration(delta: timedelta) -> str:
    """2d 3h 15m; under a minute reads as words ("runs out in less than a minute",
    never "in 0m")."""
    if delta < timedelta(minutes=1):
        return "less than a minute"
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 1440)
    hours, minutes = divmod(rest, 60)
    parts = [
        f"{days}d" if days else "",
        f"{hours}h" if hours else "",
        f"{minutes}m" if minutes else "",
    ]
    return " ".join(p for p in parts if p)


def rough_age(age: timedelta) -> str:
    """12m, 5h, 3d: how long ago, at a glance in a list (never "0h")."""
    minutes = int(age.total_seconds() // 60)
    if minutes < 60:
        return f"{max(minutes, 1)}m"
    hours = minutes // 60
    return f"{hours}h" if hours < 48 else f"{hours // 24}d"


def spoken_gap(delta: timedelta) -> str:
    """The gap between two moments in words, in its largest unit: "3 minutes",
    "5 hours", "2 days" (said in a sentence, where "3m" reads as a typo)."""
    seconds = abs(delta.total_seconds())
    if seconds < 60:
        return "less than a minute"
    units = (("day", 86400), ("hour", 3600), ("minute", 60))
    unit, size = next((u, n) for u, n in units if seconds >= n)
    count = int(seconds // size)
    return f"{count} {unit}{'' if count == 1 else 's'}"


def _read_duration(value: object) -> object:
    # ISO 8601 ("PT10M") is how a stored policy snapshot writes durations; pydantic reads it.
    if isinstance(value, str) and not value.startswith("P"):
        return parse_duration(value)
    return value


# A configuration field written as people write durations ("15m", "1h30m").
Duration = Annotated[timedelta, BeforeValidator(_read_duration)]
