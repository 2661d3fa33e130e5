"""The words an issue channel reads when an alert resolves or a release fixes it."""

from __future__ import annotations

from bot.core.blocks import escape, safe_link
from bot.core.timeline import describe_event
from bot.detection.event_kinds import DetectionEvent
from bot.incidents.event_kinds import IncidentEvent
from storage.models import Issue, TimelineEvent


def notice_text(issue: Issue, event: TimelineEvent) -> str:
    p = event.payload
    if event.kind == DetectionEvent.ALERT_RESOLVED:
        return f":white_check_mark: The alert “{escape(p['title'])}” of {issue.key} resolved."
    if event.kind == IncidentEvent.DEPLOYED and "version" in p:
        version = escape(p["version"])
        release = f"<{p['link']}|{version}>" if safe_link(p.get("link")) else version
        return (
            f":rocket: {release} of {escape(p['service'])} is deployed to "
            f"{escape(p.get('environment', 'production'))}; it fixes {issue.key}."
        )
    return describe_event(event)
