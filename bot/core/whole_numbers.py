"""The one reader of a whole number from outside: query parameters, button values,
form metadata. ASCII digits only and within bounds, or a ValueError in our words.

`str.isdigit()` accepts "²" and "١٢", which `int()` then refuses (a traceback) or
reads as 12 (a surprise); a number past a 32-bit column fails in PostgreSQL, not in
SQLite. Every such read goes through here, so each surface says the same thing.
"""

from __future__ import annotations

import re

from storage.issue_key import LARGEST

# Row ids are 32-bit integer columns, as issue numbers are: a bigger one cannot exist.
LARGEST_ID = LARGEST
DIGITS = re.compile(r"[0-9]+")


class NotAWholeNumber(ValueError):
    """The text is not a whole number from `low` to `high`; the message says so."""


def read_int(text: object, name: str, low: int, high: int) -> int:
    """`text` as an int from `low` to `high`, else NotAWholeNumber("limit must be a whole
    number from 1 to 500")."""
    words = f"{name} must be a whole number from {low} to {high}"
    if not isinstance(text, str) or DIGITS.fullmatch(text) is None:
        raise NotAWholeNumber(words)
    digits = text.lstrip("0") or "0"
    # Checked on the digits first: int() refuses 4,300 digits or more.
    if len(digits) > len(str(high)) or not low <= int(digits) <= high:
        raise NotAWholeNumber(words)
    return int(digits)
