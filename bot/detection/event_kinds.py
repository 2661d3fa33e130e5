"""The detection slice's timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import EventKind


class DetectionEvent(EventKind):
    ALERT_OPENED = (
        "alert_opened",
        "opened by an alert from {tool} (route {route}, {occurrences} firing)",
    )
    ALERT_REPEAT = "alert_repeat", "the alert fired again: {title} (×{occurrences})"
    ALERT_RESOLVED = "alert_resolved", "the alert resolved: {title}"
