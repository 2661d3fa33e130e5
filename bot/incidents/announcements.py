"""What the issue channel is told about a change, in words chosen at delivery.

Each announcement is a timeline event; these are its words for the channel
(the timeline's own shorter words are declared with each kind, in event_kinds.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from bot.core.blocks import escape
from bot.core.domain import label
from bot.core.durations import format_duration
from bot.core.reporters import who
from bot.core.timeline import describe_event
from bot.incidents.event_kinds import IncidentEvent
from storage.models import Issue, TimelineEvent


def _role_set(key: str, actor: str, p: dict[str, Any]) -> str:
    if p.get("role") == "assignee":
        return f"{actor} assigned {key} to <@{p['user_id']}>."
    return f"{actor} made <@{p['user_id']}> {p['role']} of {key}."


def _priority(key: str, actor: str, p: dict[str, Any]) -> str:
    was = label(p["before"]) if p.get("before") else "not set"
    return f"{actor} changed the priority of {key}: {was} → *{label(p['after'])}*."


WORDS: dict[str, Callable[[str, str, dict[str, Any]], str]] = {
    IncidentEvent.ACKNOWLEDGED: lambda key, actor, p: (
        # `by`: someone outside Slack who acknowledged in a tool (PagerDuty), by name.
        f"{actor} acknowledged {key}" + (f" by {escape(p['by'])}." if p.get("by") else ".")
    ),
    IncidentEvent.ROLE_SET: _role_set,
    IncidentEvent.SEVERITY_CHANGED: lambda key, actor, p: (
        f"{actor} changed the severity of {key}: {label(p['before'])} → *{label(p['after'])}*."
    ),
    IncidentEvent.PRIORITY_CHANGED: _priority,
    IncidentEvent.STATUS_CHANGED: lambda key, actor, p: (
        f"{actor} moved {key}: {label(p['before'])} → *{label(p['after'])}*."
    ),
    IncidentEvent.REOPENED: lambda key, actor, _p: f"{actor} reopened {key}.",
    IncidentEvent.DEPLOYED: lambda key, actor, _p: f"{actor} marked the fix for {key} as deployed.",
    IncidentEvent.STATUS_UPDATE: lambda key, actor, p: (
        f":mega: *Update on {key}* from {actor}\n{escape(p['text'])}"
        + (f"\n*Customer impact:* {escape(p['impact'])}" if p.get("impact") else "")
        + (
            f"\n_Next update in {format_duration(timedelta(seconds=p['next_in']))}._"
            if p.get("next_in")
            else ""
        )
    ),
}


def announcement(issue: Issue, event: TimelineEvent) -> str:
    words = WORDS.get(event.kind)
    if words is None:
        return describe_event(event)
    return words(issue.key, who(event.actor_id), event.payload)
