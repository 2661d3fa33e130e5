"""The timeline: recording an event, and the words each kind of event reads as.

Every change to an issue is one TimelineEvent (kind, actor, time, payload).
Views, reviews and announcements read events through here, never by parsing
the words back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Session

from bot.core.blocks import clip, escape
from bot.core.clock import Clock
from bot.core.domain import label
from bot.core.log_context import bind
from bot.core.reporters import is_person, tool_name, who
from storage.models import Issue, TimelineEvent


def add_event(
    session: Session,
    issue: Issue,
    kind: str,
    clock: Clock,
    actor_id: str | None = None,
    /,  # positional only, so payload keys may be named "clock" or "kind"
    *,
    dedup_key: str | None = None,
    at: datetime | None = None,
    **payload: object,
) -> TimelineEvent:
    """Record one timeline event; `dedup_key` makes a second identical record fail."""
    assert issue.id is not None
    event = TimelineEvent(
        issue_id=issue.id,
        at=at or clock.now(),
        actor_id=actor_id,
        kind=kind,
        payload={k: v for k, v in payload.items() if v is not None},
        dedup_key=dedup_key,
    )
    session.add(event)
    bind(issue=issue.key, trace_id=issue.trace_id)  # what this task logs next is about it
    if kind in SEARCHED_KINDS:  # the issue's search document is rebuilt before commit
        session.info.setdefault(SEARCH_DIRTY, set()).add(issue.id)
    return event


# Events whose words are part of an issue's search document (see triage/search.py);
# `filed` stands for the issue's own fields.
SEARCHED_KINDS = frozenset({"filed", "status_update", "pinned_message", "merged_from"})
SEARCH_DIRTY = "search_dirty"  # session.info: ids of issues whose document must be rebuilt


EVENT_WORDS = {
    "filed": "filed the issue",
    "acknowledged": "acknowledged",
    "status_changed": "moved {before} → {after}",
    "reopened": "reopened ({before} → {after})",
    "severity_changed": "changed severity {before} → {after}",
    "priority_changed": "changed priority {before} → {after}",
    "role_set": "made <@{user_id}> {role}",
    "status_update": "posted an update: {text}",
    "deployed": "marked the fix deployed",
    "step_done": "did “{text}”",
    "step_skipped": "skipped “{text}”: {reason}",
    "pinned_message": "pinned a message{from_author}: {text}",
    "phase_started": "started the {phase} phase",
    "phase_left_incomplete": "left {phase} with required steps unfinished: {steps}",
    "channel_created": "channel <#{channel_id}> created",
    "card_posted": "summary card posted",
    "card_pinned": "summary card pinned",
    "reporter_notified": "reporter told by DM",
    "participant_invited": "<@{user_id}> invited",
    "source_replied": "answered in the source thread",
    "source_reply_skipped": "could not answer in the source thread ({reason})",
    "next_status_proposed": "proposed moving to {target}",
    "reporter_updates": "reporter updates turned {state}",
    "sla_warning": "SLA warning: {clock} runs out in {left}",
    "sla_escalating": "SLA {clock} nearly out ({left} left): escalating",
    "sla_breached": "SLA {clock} breached",
    "escalation_started": "escalation started ({policy}, for the {clock} clock)",
    "escalated": "escalated (step {step}, round {loop}) to {targets}",
    "escalation_exhausted": "escalation ran out of steps",
    "escalation_forced": "forced the next escalation step",
    "page_acknowledged": "acknowledged the page",
    "paged": "paged {whom}{said}",
    "closed_in_review": "closed the issue in the weekly review",
    "still_relevant": "marked the issue still relevant in the weekly review",
    "review_drafted": "drafted the post-incident review ({source})",
    "review_edited": "edited the post-incident review",
    "review_published": "published the post-incident review",
    "followup_done": "finished the follow-up “{title}”",
    "alert_opened": "opened by an alert from {source} (route {route}, {occurrences} firing)",
    "alert_repeat": "the alert fired again: {title} (×{occurrences})",
    "alert_resolved": "the alert resolved: {title}",
    "recent_deploys": "deploys to {service} shortly before: {versions}",
}


# Payload values Firebell itself composed as Slack markup (mentions, channel links);
# every other value is what a person or a tool typed, and is escaped for mrkdwn.
MARKUP_KEYS = {"user_id", "channel_id", "targets", "from_author", "whom"}


def event_words(event: TimelineEvent, *, mrkdwn: bool = True) -> str:
    """What happened, without who did it: "moved Assigned → Revise". With `mrkdwn`,
    typed text is escaped so it reads as text in Slack and cannot mention or link."""
    payload: dict[str, Any] = dict(event.payload)
    for key in ("before", "after", "target"):
        if isinstance(payload.get(key), str):
            payload[key] = label(payload[key])
    if event.kind == "alert_opened" and isinstance(payload.get("source"), str):
        payload["source"] = tool_name(payload["source"])
    if event.kind == "pinned_message":
        author = payload.pop("author", None)
        payload["from_author"] = f" from <@{author}>" if is_person(author) else ""
    if mrkdwn:
        payload = {k: v if k in MARKUP_KEYS else _escaped(v) for k, v in payload.items()}
    if event.kind == "paged":
        payload["said"] = f": “{payload['note']}”" if payload.get("note") else ""
    for key in ("steps", "targets", "versions"):
        if isinstance(payload.get(key), list):
            payload[key] = "; ".join(map(str, payload[key])) or "nobody"
    if "on" in payload:
        payload["state"] = "on" if payload["on"] else "off"
    template = EVENT_WORDS.get(event.kind, event.kind.replace("_", " "))
    try:
        words = template.format_map(_Blank(payload))
    except (ValueError, IndexError):
        words = event.kind.replace("_", " ")
    if payload.get("answer"):
        words += f" – {payload['answer']}"
    return words


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [escape(v) if isinstance(v, str) else v for v in value]
    return value


def actor_name(event: TimelineEvent) -> str | None:
    """Who did it (a person's mention or a tool's name); None for Firebell's own events."""
    return who(event.actor_id) if event.actor_id else None


def describe_event(event: TimelineEvent) -> str:
    """One timeline line in Slack mrkdwn: who, then what, with mentions kept live."""
    actor = actor_name(event)
    text = clip(event_words(event), 600)
    return f"{actor} {text}" if actor else text


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"
