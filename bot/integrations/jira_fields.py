"""The fields of a new Jira issue, from the issue and the jira section of firebell.yml."""

from __future__ import annotations

from typing import Any

from bot.core.domain import Severity, label
from bot.integrations.jira_adf import followup_document, issue_document
from bot.integrations.jira_config import JiraConfig
from storage.models import FollowUp, Issue

SUMMARY_MAX = 255


def marker(issue: Issue) -> str:
    """The label every Jira issue Firebell creates carries: a retry after a lost answer
    searches for it before creating again."""
    return f"firebell-{issue.key}"


def followup_marker(followup: FollowUp) -> str:
    """The label of a follow-up's Jira issue, searched for as `marker` is (and never the
    parent's marker: the parent's own create searches for that one)."""
    return f"firebell-followup-{followup.id}"


def fill(value: Any, issue: Issue) -> Any:
    """A configured field value with {service}, {severity}, {key} and {title} filled in;
    objects and lists keep their shape (a select field's {"value": "{service}"})."""
    if isinstance(value, str):
        return (
            value.replace("{service}", issue.service or "")
            .replace("{severity}", label(issue.severity))
            .replace("{key}", str(issue.key))
            .replace("{title}", issue.title)
        )
    if isinstance(value, dict):
        return {k: fill(v, issue) for k, v in value.items()}
    if isinstance(value, list):
        return [fill(v, issue) for v in value]
    return value


def issue_fields(
    config: JiraConfig, issue: Issue, project: str, web_link: str | None
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": config.issue_type},
        "summary": f"{issue.key}: {issue.title}"[:SUMMARY_MAX],
        "description": issue_document(issue, web_link),
        "labels": [*config.labels, marker(issue)],
    }
    priority = config.priorities.get(Severity(issue.severity))
    if priority:
        fields["priority"] = {"name": priority}
    if config.components:
        fields["components"] = [{"name": name} for name in config.components]
    for field_id, value in config.fields.items():
        fields[field_id] = fill(value, issue)
    return fields


def followup_fields(
    config: JiraConfig, followup: FollowUp, parent: Issue, project: str, web_link: str | None
) -> dict[str, Any]:
    """A follow-up's Jira issue: its title as the summary, in the parent's project, with
    the follow-up issue type and fields (templated from the parent issue). No priority:
    the parent's severity says nothing of a follow-up's urgency."""
    mapped = config.fields if config.followup_fields is None else config.followup_fields
    fields: dict[str, Any] = {
        "project": {"key": project},
        "issuetype": {"name": config.followup_issue_type or config.issue_type},
        "summary": followup.title[:SUMMARY_MAX],
        "description": followup_document(followup, parent, web_link),
        "labels": [*config.labels, followup_marker(followup)],
    }
    if config.components:
        fields["components"] = [{"name": name} for name in config.components]
    for field_id, value in mapped.items():
        fields[field_id] = fill(value, parent)
    return fields
