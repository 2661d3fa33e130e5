"""`INC-42`: the one type that formats and parses an issue's key.

Every surface (commands, webhooks, the API, the CLI, deploy notes) reads keys
through here, so they all accept the same spellings and the same bounds. It
lives in storage, the lowest layer, because `Issue.key` formats it.
"""

from __future__ import annotations

import re

PREFIX = "INC"
# Issue numbers are 32-bit integers in the database; a bigger one cannot exist.
LARGEST = 2**31 - 1
# Any number of ASCII digits, so a key too big to exist is still read as a key
# (and answered "There is no INC-…") rather than as a word nobody understands.
SHAPE = re.compile(rf"{PREFIX}-([0-9]+)", re.IGNORECASE)
# A key inside free text ("fixes INC-42."): not glued to other letters or digits.
IN_TEXT = re.compile(rf"(?<![A-Za-z0-9_-]){PREFIX}-[0-9]+(?![A-Za-z0-9_])", re.IGNORECASE)


class NotAKey(ValueError):
    """The text is not shaped like an issue key at all."""


class NoSuchKey(ValueError):
    """Shaped like a key, but no issue can have it (zero, or past the 32-bit column)."""


class IssueKey(str):
    """An issue key: a `str` ("INC-42") that also knows its `number`."""

    number: int

    def __new__(cls, number: int) -> IssueKey:
        if not 1 <= number <= LARGEST:
            raise NoSuchKey(f"There is no {PREFIX}-{number}.")
        key = super().__new__(cls, f"{PREFIX}-{number}")
        key.number = number
        return key

    @classmethod
    def looks_like(cls, text: str) -> bool:
        return SHAPE.fullmatch(text.strip()) is not None

    @classmethod
    def parse(cls, text: str) -> IssueKey:
        """`inc-42`, `INC-0042` → INC-42. NotAKey for other words; NoSuchKey (saying
        "There is no INC-…", clipped for a reply) for a key no issue can have."""
        match = SHAPE.fullmatch(text.strip())
        if match is None:
            raise NotAKey(f"`{text[:40]}` is not an issue key; write it like {PREFIX}-42")
        digits = match[1].lstrip("0") or "0"
        # Checked on the digits first: int() refuses 4,300 digits or more.
        if len(digits) > len(str(LARGEST)) or int(digits) > LARGEST or int(digits) == 0:
            shown = text.strip().upper()
            shown = shown if len(shown) <= 24 else shown[:20] + "…"  # a reply, not a wall
            raise NoSuchKey(f"There is no {shown}.")
        return cls(int(digits))

    @classmethod
    def find_all(cls, text: str) -> list[str]:
        """Every key-shaped word in free text, upper-cased, unchecked (parse each)."""
        return [m.upper() for m in IN_TEXT.findall(text)]
