"""Words and blocks for SLA warnings, breaches, escalation pings and notices."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import clip, context, escape, section
from bot.core.domain import label
from bot.core.ids import Action
from bot.incidents.card import button, slack_date

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


def breach_text(issue: Any, clock: str) -> str:
    return (
        f":rotating_light: The SLA to {CLOCK_WORDS[clock]} {issue.key} is breached. "
        "Escalating to the next step now."
    )


def escalation_notice(issue: Any, targets: list[str], step: int, steps: int, loop: int) -> str:
    who = ", ".join(targets) or "nobody (no one resolvable)"
    round_text = f", round {loop}" if loop > 1 else ""
    return f":mega: Escalated {issue.key} to {who} (step {step} of {steps}{round_text})."


def channel_url(team_id: str | None, channel_id: str | None) -> str:
    return f"https://app.slack.com/client/{team_id or 'T'}/{channel_id or ''}"


def page_message(issue: Any, clock: str, team_id: str | None) -> tuple[str, list[dict[str, Any]]]:
    """The DM a person gets when an issue is escalated to them."""
    text = (
        f":rotating_light: *{issue.key}* needs you: {escape(clip(issue.title, 150))} "
        f"({label(issue.severity)}, {label(issue.status)}). "
        f"The SLA to {CLOCK_WORDS[clock]} it is running out."
    )
    value = str(issue.id)
    open_button = button("Open channel", Action.OPEN_CHANNEL, value)
    open_button["url"] = channel_url(team_id, issue.channel_id)
    blocks = [
        section(text),
        context(f"Reported by <@{issue.reporter_id}> · filed {slack_date(issue.created_at)}"),
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


def broadcast_text(issue: Any, who: str) -> str:
    """For a user group or a channel named as an escalation target."""
    return (
        f":rotating_light: {who} *{issue.key}* needs attention: "
        f"{escape(clip(issue.title, 150))} ({label(issue.severity)}). "
        f"Join <#{issue.channel_id}>."
    )
