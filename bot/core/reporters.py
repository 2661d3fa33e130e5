"""Who reported an issue, or did something to it: a person, a monitoring tool, or
someone outside Slack.

The one place that knows. An issue filed by a person has their Slack user id
as reporter; one opened from an alert has the alert source ("alertmanager"); one
reported from outside Slack has `<channel>:<id>`: a visitor of a site that embeds the
reporter ("web:shop") or a support tool's requester ("zendesk:3612"). Every card, DM,
timeline line and review asks here how to name them.
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
    "newrelic": "New Relic",
    "rollbar": "Rollbar",
    "github": "GitHub",
    "pagerduty": "PagerDuty",
}


# Someone outside Slack: where they came from, then who they are there.
EXTERNAL = re.compile(r"(web|zendesk):[A-Za-z0-9_.-]{1,24}")
EXTERNAL_NAMES = {"web": "a visitor to {id}", "zendesk": "Zendesk requester {id}"}
# Where an issue from someone outside Slack came from, as a figure or a label counts it.
EXTERNAL_SOURCES = {"web": "embed", "zendesk": "zendesk"}


def external(channel: str, identity: str) -> str:
    """The reporter id of someone outside Slack (fits Issue.reporter_id's 32 characters)."""
    actor = f"{channel}:{identity}"
    if EXTERNAL.fullmatch(actor) is None:
        raise ValueError(f"not an outside reporter: {actor!r}")
    return actor


SOURCE_NAMES = {"embed": "Embedded reporter", "zendesk": "Zendesk"}


def is_external(actor_id: str | None) -> bool:
    return actor_id is not None and EXTERNAL.fullmatch(str(actor_id)) is not None


def is_person(actor_id: str | None) -> bool:
    """Slack user ids start with U or W; a tool's id is its source name."""
    return actor_id is not None and PERSON.fullmatch(str(actor_id)) is not None


def source_of(reporter_id: str) -> str:
    """Where an issue came from, for figures, filters and metric labels: "slack" for a
    person, the channel for someone outside Slack ("embed", "zendesk"; never their id,
    so a label keeps few values), else the tool."""
    if is_person(reporter_id):
        return "slack"
    if is_external(reporter_id):
        return EXTERNAL_SOURCES[reporter_id.split(":", 1)[0]]
    return reporter_id


def tool_name(source: str) -> str:
    """A tool by name; someone outside Slack by where they came from."""
    if is_external(source):
        channel, identity = source.split(":", 1)
        return EXTERNAL_NAMES[channel].format(id=identity)
    return TOOL_NAMES.get(source) or SOURCE_NAMES.get(source) or source.capitalize()


def who(actor_id: str | None) -> str:
    """A person as a mention; a tool by name; nobody as Firebell itself (in mrkdwn)."""
    if actor_id is None:
        return "Firebell"
    return f"<@{actor_id}>" if is_person(actor_id) else escape(tool_name(actor_id))


def reporter_text(reporter_id: str) -> str:
    """The reporter on a card or in a DM: a person, someone outside Slack, or
    "Alertmanager alert"."""
    if is_person(reporter_id) or is_external(reporter_id):
        return who(reporter_id)
    return f"{who(reporter_id)} alert"
