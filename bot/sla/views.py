"""Words and blocks for SLA warnings, breaches, escalation pings and notices, the
SLA line of an issue, the App Home tab and the on-call list."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.core.blocks import button, clip, context, escape, header, section, slack_date
from bot.core.domain import label
from bot.core.durations import format_duration
from bot.core.ids import Action
from bot.core.membership import Visible, open_to_anyone
from bot.core.reporters import reporter_text, who
from bot.core.timeline import describe_event
from bot.incidents.list_views import issue_line
from bot.sla.event_kinds import SlaEvent
from bot.sla.kinds import Page
from storage.models import Issue, SlaClock, TimelineEvent

MANUAL = "manual"  # the clock of a page sent by hand (/incident page)
CLOCK_WORDS = {
    "acknowledge": "acknowledge",
    "update": "post an update",
    "resolve": "resolve",
}


def _owner(issue: Any) -> str:
    lead = issue.assignee_id or issue.commander_id
    return f"<@{lead}>" if lead else "Nobody has taken it yet:"


def warning_text(issue: Any, clock: str, left: str, due: datetime) -> str:
    return (
        f":alarm_clock: {_owner(issue)} the SLA to {CLOCK_WORDS[clock]} {issue.key} runs "
        f"out in {left} ({slack_date(due)})."
    )


def breach_text(issue: Any, clock: str, escalating: bool = True) -> str:
    then = (
        "Escalating to the next step now."
        if escalating
        else "No escalation policy applies, so nobody is paged: add one under "
        "escalation_policies in firebell.yml."
    )
    return f":rotating_light: The SLA to {CLOCK_WORDS[clock]} {issue.key} is breached. {then}"


def escalation_notice(issue: Any, targets: list[str], step: int, steps: int, loop: int) -> str:
    who = ", ".join(targets) or "nobody (no one resolvable)"
    round_text = f", round {loop}" if loop > 1 else ""
    return f":mega: Escalated {issue.key} to {who} (step {step} of {steps}{round_text})."


def channel_url(team_id: str | None, channel_id: str | None) -> str:
    return f"https://app.slack.com/client/{team_id or 'T'}/{channel_id or ''}"


def page_reason(issue: Any, page: Page) -> str:
    """Why this page was sent, in its own words: paged by hand (with what was said),
    a person asking for the next step now, opened at a severity that pages at once,
    or the SLA clock as far as it had run when the step fired."""
    if page.clock == MANUAL:
        said = f": “{escape(clip(page.note, 500))}”" if page.note else "."
        return f"<@{page.by}> paged you{said}"
    if page.reason == "forced" and page.by:
        return f"<@{page.by}> asked to escalate it now (`/incident escalate`)."
    if page.reason == "on_open":
        return f"It was opened as {label(issue.severity)}, which pages at once."
    words = CLOCK_WORDS.get(page.clock, page.clock)
    if page.percent is not None and page.due:
        due = slack_date(datetime.fromisoformat(page.due))
        if page.percent >= 100:
            return f"The SLA to {words} it ran out {due}."
        return f"The SLA to {words} it is at {page.percent} % (due {due})."
    return f"Nobody has answered escalation step {page.step} yet."


def page_message(issue: Any, page: Page, team_id: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The DM a person gets when an issue is escalated to them, or paged by hand."""
    text = (
        f":rotating_light: *{issue.key}* needs you: {escape(clip(issue.title, 150))} "
        f"({label(issue.severity)}, {label(issue.status)}). {page_reason(issue, page)}"
    )
    value = str(issue.id)
    open_button = button("Open channel", Action.OPEN_CHANNEL, value)
    open_button["url"] = channel_url(team_id, issue.channel_id)
    blocks = [
        section(text),
        context(
            f"Reported by {reporter_text(issue.reporter_id)} · filed {slack_date(issue.created_at)}"
        ),
        {
            "type": "actions",
            "block_id": "page",
            "elements": [
                button("Acknowledge", Action.PAGE_ACK, value, "primary"),
                open_button,
            ],
        },
    ]
    return clip(text, 3000), blocks


TAKEN_WORDS = {"acknowledged": "Acknowledged", "fixed": "Fixed", "closed": "Closed"}


def page_answered(
    issue: Any, user_id: str | None, at: datetime, how: str = "acknowledged"
) -> tuple[str, list[dict[str, Any]]]:
    """A page DM once someone took the issue: who and when, no buttons left to press."""
    text = (
        f":white_check_mark: *{issue.key}* {escape(clip(issue.title, 150))} "
        f"({label(issue.severity)}, {label(issue.status)})"
    )
    by = f" by <@{user_id}>" if user_id else ""
    blocks = [section(text), context(f"{TAKEN_WORDS.get(how, how)}{by} {slack_date(at)}")]
    return clip(text, 3000), blocks


def broadcast_text(
    issue: Any,
    who: str,
    by: str | None = None,
    note: str | None = None,
    why: str = "",
    here: bool = False,
) -> str:
    """For a user group or a channel named as an escalation target, or paged by hand.
    `here`: posted in the issue's own channel (a user group's page), whose readers are
    its members already. Any other channel is not the issue's member list: a private
    issue is named there by its key only."""
    asked = ""
    if by:
        asked = f" <@{by}> paged" + (f": “{escape(clip(note, 500))}”" if note else ".")
    elif why:
        asked = f" {why}"
    if here:
        return (
            f":rotating_light: {who} *{issue.key}* needs attention: "
            f"{escape(clip(issue.title, 150))} ({label(issue.severity)}).{asked}"
        )
    if not open_to_anyone(issue):
        return (
            f":rotating_light: {who} *{issue.key}* needs attention: a private issue "
            f"({label(issue.severity)}). Its members are in <#{issue.channel_id}>.{asked}"
        )
    return (
        f":rotating_light: {who} *{issue.key}* needs attention: "
        f"{escape(clip(issue.title, 150))} ({label(issue.severity)}). "
        f"Join <#{issue.channel_id}>.{asked}"
    )


def _warning(issue: Any, event: TimelineEvent, now: datetime) -> str:
    due = datetime.fromisoformat(event.payload["due"])
    return warning_text(issue, event.payload["clock"], format_duration(due - now), due)


NOTICES: dict[str, Callable[[Any, TimelineEvent, datetime], str]] = {
    SlaEvent.SLA_WARNING: _warning,
    SlaEvent.SLA_BREACHED: lambda issue, e, _now: breach_text(
        issue, e.payload["clock"], e.payload.get("escalating", True)
    ),
    SlaEvent.ESCALATED: lambda issue, e, _now: escalation_notice(
        issue,
        e.payload.get("targets", []),
        e.payload["step"],
        e.payload["steps"],
        e.payload["loop"],
    ),
    SlaEvent.PAGED: lambda issue, e, _now: (
        f":mega: {who(e.actor_id)} paged {e.payload['whom']} about {issue.key}"
        + (f": “{escape(clip(e.payload['note'], 500))}”" if e.payload.get("note") else ".")
    ),
    SlaEvent.PAGE_ACKNOWLEDGED: lambda issue, e, _now: (
        f"{who(e.actor_id)} acknowledged the page for {issue.key}"
        + ("; escalation stopped." if e.payload.get("escalation_stopped", True) else ".")
    ),
    SlaEvent.CLOSED_IN_REVIEW: lambda issue, e, _now: (
        f"{who(e.actor_id)} closed {issue.key} in the weekly review."
    ),
}


def notice_text(issue: Issue, event: TimelineEvent, now: datetime) -> str:
    """The channel's words for an SLA event, chosen when the notice is delivered: the
    owner is who holds the issue then, and the time left is counted from then."""
    words = NOTICES.get(event.kind)
    return words(issue, event, now) if words else describe_event(event)


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


def home_view(visible: Visible, clocks: dict[int, list[SlaClock]], now: datetime) -> dict[str, Any]:
    blocks: list[dict[str, Any]] = [header("Your open issues")]
    if not visible.shown and not visible.private_hidden:
        blocks.append(section("No issues."))
    for issue in visible.shown[:45]:
        sla = sla_line(clocks.get(issue.id or 0, []), now)
        blocks.append(section(issue_line(issue, now) + (f"\n{sla}" if sla else "")))
    if visible.note():
        blocks.append(context(f"+ {visible.note()}."))
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
                f"*{escape(entry.schedule.name)}* ({escape(entry.schedule.timezone)})\n"
                f"Now: {now}\nNext: {following}"
            )
        )
    return blocks
