"""Slack channel names for issues: `inc-42-checkout-fails`, within Slack's rules."""

from __future__ import annotations

import re
import unicodedata

MAX_LENGTH = 80  # Slack's limit for a channel name


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def channel_name(prefix: str, number: int, title: str, attempt: int = 1) -> str:
    """The name to try on the given attempt; attempt 2 and later add `-2`, `-3`, …"""
    head = f"{prefix}-{number}"
    suffix = f"-{attempt}" if attempt > 1 else ""
    room = MAX_LENGTH - len(head) - len(suffix) - 1
    slug = slugify(title)[:room].rstrip("-")
    return f"{head}-{slug}{suffix}" if slug else f"{head}{suffix}"
