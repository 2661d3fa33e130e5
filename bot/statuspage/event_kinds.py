"""The status page's timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import EventKind


class StatusPageEvent(EventKind):
    # `status` is Statuspage's word at the time (investigating … resolved), kept as is.
    PUBLISHED = "status_published", "published to the status page ({status}): “{text}”"
