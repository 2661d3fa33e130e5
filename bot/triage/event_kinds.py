"""Triage's timeline kinds and their words (see core/timeline.py).

Each names the other issue by its key (stored in the payload; a key never changes),
never by its title: the other issue may be private when this one is not.
"""

from __future__ import annotations

from bot.core.timeline import SEARCHED, EventKind


class TriageEvent(EventKind):
    # Its `text` (the duplicate's title and description) joins this search document.
    MERGED_FROM = "merged_from", "merged {key} into this issue", SEARCHED
    MERGED_INTO = "merged_into", "merged this issue into {key} (closed as its duplicate)"
    NOT_DUPLICATE = "not_duplicate", "marked this issue not a duplicate of {key}"
    LINKED = "linked", "linked this issue to {key}"
