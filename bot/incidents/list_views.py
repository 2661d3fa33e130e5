"""Read-only views: an issue list, a timeline, and the App Home tab."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, header, section
from bot.core.domain import label
from bot.core.durations import format_duration
from bot.incidents.card import slack_date
from storage.models import Issue, SlaClock, TimelineEvent

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
    "pinned_message": "pinned: {text}",
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
    "closed_in_review": "closed the issue in the weekly review",
    "still_relevant": "marked the issue still relevant in the weekly review",
    "review_drafted": "drafted the post-incident review ({source})",
    "review_edited": "edited the post-incident review",
    "review_published": "published the post-incident review",
    "followup_done": "finished the follow-up “{title}”",
    "alert_opened": "opened from a {source} alert (route {route}, {occurrences} firing)",
    "alert_repeat": "the alert fired again: {title} (×{occurrences})",
    "alert_resolved": "the alert resolved: {title}",
    "recent_deploys": "deploys to {service} shortly before: {versions}",
}


def describe_event(event: TimelineEvent) -> str:
    payload: dict[str, Any] = {k: v for k, v in event.payload.items()}
    for key in ("before", "after", "target"):
        if isinstance(payload.get(key), str):
            payload[key] = label(payload[key])
    for key in ("steps", "targets", "versions"):
        if isinstance(payload.get(key), list):
            payload[key] = "; ".join(payload[key]) or "nobody"
    if "on" in payload:
        payload["state"] = "on" if payload["on"] else "off"
    template = EVENT_WORDS.get(event.kind, event.kind.replace("_", " "))
    try:
        words = template.format_map(_Blank(payload))
    except (ValueError, IndexError):
        words = event.kind.replace("_", " ")
    if event.payload.get("answer"):
        words += f" – {event.payload['answer']}"
    who = f"<@{event.actor_id}> " if event.actor_id else ""
    return who + escape(clip(words, 600)).replace("&lt;@", "<@").replace("&lt;#", "<#").replace(
        "&gt;", ">"
    )


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"


def timeline_blocks(issue: Issue, events: list[TimelineEvent]) -> list[dict[str, Any]]:
    lines = [f"{slack_date(e.at)} · {describe_event(e)}" for e in events]
    blocks: list[dict[str, Any]] = [header(f"Timeline of {issue.key}")]
    chunk: list[str] = []
    for line in lines:
        if sum(len(x) + 1 for x in chunk) + len(line) > 2900:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    if chunk:
        blocks.append(section("\n".join(chunk)))
    if not events:
        blocks.append(section("Nothing recorded yet."))
    return blocks[:50]


def _issue_line(issue: Issue, now: datetime) -> str:
    age = now - issue.created_at
    hours = int(age.total_seconds() // 3600)
    age_text = f"{hours // 24}d" if hours >= 48 else f"{hours}h"
    where = f" <#{issue.channel_id}>" if issue.channel_id else ""
    lead = f" · lead <@{issue.commander_id}>" if issue.commander_id else " · *nobody leads*"
    return (
        f"*{issue.key}* {escape(clip(issue.title, 80))}{where}\n"
        f"{label(issue.status)} · {label(issue.severity)}{lead} · open {age_text}"
    )


def list_blocks(title: str, issues: list[Issue], now: datetime) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [header(title)]
    if not issues:
        blocks.append(section("No issues."))
    for issue in issues[:40]:
        blocks.append(section(_issue_line(issue, now)))
    if len(issues) > 40:
        blocks.append(context(f"…and {len(issues) - 40} more."))
    return blocks


def sla_line(clocks: list[SlaClock], now: datetime) -> str:
    """`SLA: acknowledge in 4m · resolve in 3h 50m` or what is breached."""
    parts = []
    for clock in sorted(clocks, key=lambda c: c.due_at):
        if clock.stopped_at is not None:
            continue
        if clock.breached_at is not None or clock.due_at <= now:
            parts.append(f":red_circle: {clock.kind} breached")
        else:
            mark = ":large_orange_circle: " if clock.warned_at else ""
            parts.append(f"{mark}{clock.kind} in {format_duration(clock.due_at - now)}")
    return "SLA: " + " · ".join(parts) if parts else ""


def home_view(
    issues: list[Issue], clocks: dict[int, list[SlaClock]], now: datetime
) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [header("Your open issues")]
    if not issues:
        blocks.append(section("No issues."))
    for issue in issues[:45]:
        sla = sla_line(clocks.get(issue.id or 0, []), now)
        blocks.append(section(_issue_line(issue, now) + (f"\n{sla}" if sla else "")))
    return {"type": "home", "blocks": blocks}


def oncall_blocks(entries: list[Any]) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [header("On call")]
    for entry in entries[:40]:
        now = f"<@{entry.now.user}> until {slack_date(entry.now.end)}" if entry.now else "nobody"
        if entry.now and entry.now.override:
            now += " (override)"
        following = (
            f"<@{entry.next.user}> from {slack_date(entry.next.start)}"
            if entry.next
            else "nobody scheduled"
        )
        blocks.append(
            section(
                f"*{entry.schedule.name}* ({entry.schedule.timezone})\n"
                f"Now: {now}\nNext: {following}"
            )
        )
    return blocks
