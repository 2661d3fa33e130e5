"""What Firebell's own buttons and forms carry back: an issue id, a detail, a step.

Slack signs what it sends, not what is in it: a value or a form's metadata may be
from an old message, or made up. Each is read here, and anything that does not
fit is refused in words, never a crash.
"""

from __future__ import annotations

from typing import Any

from bot.core.errors import FirebellError
from bot.core.whole_numbers import LARGEST_ID, NotAWholeNumber, read_int

STALE = "That button or form is out of date: open the issue's latest message and try again."


def row_id(raw: object) -> int:
    """The one reader of a carried row id: ASCII digits only (`str.isdigit` also takes
    "²" and "١٢"), 1 to the 32-bit column's largest (core/whole_numbers.py)."""
    try:
        return read_int(str(raw), "id", 1, LARGEST_ID)
    except NotAWholeNumber:
        raise FirebellError(STALE) from None


def issue_id_of(value: str) -> int:
    """Button values are `<issue id>` or `<issue id>:<detail>`."""
    return row_id(value.split(":", 1)[0])


def detail_of(value: str) -> str:
    _head, sep, detail = value.partition(":")
    if not sep or not detail:
        raise FirebellError(STALE)
    return detail


def other_issue_id_of(value: str) -> int:
    """`<issue id>:<other issue id>` (a merge, a "not a duplicate"): the other one, a
    different issue."""
    other = row_id(detail_of(value))
    if other == issue_id_of(value):
        raise FirebellError(STALE)
    return other


def form_issue(meta: dict[str, Any]) -> int:
    """The issue a modal was opened for (its private_metadata)."""
    return row_id(meta.get("issue", ""))


def form_step(meta: dict[str, Any]) -> str:
    step = meta.get("step")
    if not isinstance(step, str) or not step:
        raise FirebellError(STALE)
    return step
