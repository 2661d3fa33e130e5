"""Slack channel names for issues: `inc-42-checkout-fails`, within Slack's rules."""

from __future__ import annotations

import re
import unicodedata

from anyascii import anyascii

MAX_LENGTH = 80  # Slack's limit for a channel name


def slugify(text: str) -> str:
    """Lowercase ASCII words, transliterated from any script ("straße" → "strasse",
    "支付失败" → "zhifushibai"); symbols and emoji are dropped, not spelled out."""
    letters = "".join(c for c in text if not unicodedata.category(c).startswith("S"))
    return re.sub(r"[^a-z0-9]+", "-", anyascii(letters).lower()).strip("-")


def channel_name(prefix: str, number: int, title: str, attempt: int = 1) -> str:
    """The name to try on the given attempt; attempt 2 and later add `-2`, `-3`, …"""
    head = f"{prefix}-{number}"
    suffix = f"-{attempt}" if attempt > 1 else ""
    room = MAX_LENGTH - len(head) - len(suffix) - 1
    slug = slugify(title)[:room].rstrip("-")
    return f"{head}-{slug}{suffix}" if slug else f"{head}{suffix}"
