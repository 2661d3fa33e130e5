"""The fields of a new Jira issue, from the issue and the jira section of firebell.yml."""

from __future__ import annotations

from typing import Any

from bot.core.domain import Severity, label
from bot.integrations.jira_adf import issue_document
from bot.integrations.jira_config import JiraConfig
from storage.models import Issue

SUMMARY_MAX = 255


def marker(issue: Issue) -> str:
    """The label every Jira issue Firebell creates carries: a retry after a lost answer
    searches for it before creating again."""
    return f"firebell-{issue.key}"


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
