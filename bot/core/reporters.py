"""Who reported an issue, or did something to it: a person or a monitoring tool.

The one place that knows. An issue filed by a person has their Slack user id
as reporter; one opened from an alert has the alert source ("alertmanager").
Every card, DM, timeline line and review asks here how to name them.
"""

from __future__ import annotations

import re

from bot.core.blocks import escape

# A Slack user id: U or W, then capitals and digits. Anything else is a tool's name, so
# text that only starts with U cannot become a mention.
PERSON = re.compile(r"[UW][A-Z0-9]+")

# How each alert source reads to people.
TOOL_NAMES = {
    "alertmanager": "Alertmanager",
    "grafana": "Grafana",
    "sentry": "Sentry",
    "datadog": "Datadog",
}


def is_person(actor_id: str | None) -> bool:
    """Slack user ids start with U or W; a tool's id is its source name."""
    return actor_id is not None and PERSON.fullmatch(str(actor_id)) is not None


def tool_name(source: str) -> str:
    return TOOL_NAMES.get(source, source.capitalize())


def who(actor_id: str | None) -> str:
    """A person as a mention; a tool by name; nobody as Firebell itself (in mrkdwn)."""
    if actor_id is None:
        return "Firebell"
    return f"<@{actor_id}>" if is_person(actor_id) else escape(tool_name(actor_id))


def reporter_text(reporter_id: str) -> str:
    """The reporter on a card or in a DM: a person, or "Alertmanager alert"."""
    return who(reporter_id) if is_person(reporter_id) else f"{who(reporter_id)} alert"
