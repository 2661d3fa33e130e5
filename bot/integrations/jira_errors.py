"""Jira's refusals in words for the issue's channel: what Jira said, and which key of
firebell.yml to change. Jira's own text is quoted as it came (escaped when shown)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.integrations.jira_client import JiraFailed
from bot.integrations.jira_config import JiraConfig

# Jira's field ids (in `errors`) and the key of the jira section that sets each.
FIELD_KEYS = {
    "priority": "jira.priorities",
    "components": "jira.components",
    "labels": "jira.labels",
    "issuetype": "jira.issue_type",
    "project": "jira.project",
    "reporter": "jira.email (the account Firebell acts as)",
}


@dataclass(frozen=True)
class Explained:
    problem: str
    fix: str


def config_key(config: JiraConfig, field: str, followup: bool = False) -> str:
    """The key to change for a field Jira refused; a field Firebell does not send yet
    (a required custom field) is one to add under jira.fields (jira.followup_fields for
    a follow-up's issue, whose type may have a create screen of its own)."""
    if followup and field == "issuetype":
        return "jira.followup_issue_type"
    mapped = "jira.followup_fields" if followup else "jira.fields"
    return FIELD_KEYS.get(field, f"{mapped}.{field}")


def explain_link(config: JiraConfig, failed: JiraFailed, what: str) -> Explained:
    """A link Jira refused: an unknown link type names jira.followup_link."""
    said = " ".join([*failed.messages, *failed.errors.values()])
    if failed.status in (400, 404) and "link type" in said.casefold():
        return Explained(
            f"Jira has no issue link type “{config.followup_link}” ({said[:500]}).",
            "Change jira.followup_link in firebell.yml to a link type of your site "
            "(Jira's defaults: Blocks, Cloners, Duplicate, Relates).",
        )
    return explain(config, failed, what)


def explain(config: JiraConfig, failed: JiraFailed, what: str, followup: bool = False) -> Explained:
    """`what`: the thing refused, e.g. "the issue" or "OPS-12"; `followup`: a follow-up's
    issue was refused (its fields are jira.followup_fields)."""
    said = [*failed.messages, *(f"{f}: {m}" for f, m in failed.errors.items())]
    quoted = "; ".join(said)[:1500] or f"HTTP {failed.status}"
    if failed.status == 401:
        return Explained(
            f"Jira did not accept Firebell's credentials ({quoted}).",
            "Check jira.email and jira.api_token in firebell.yml (an API token of that account).",
        )
    if failed.status == 403:
        return Explained(
            f"the account {config.email} may not do this in {config.project} ({quoted}).",
            f"Give it the Browse, Create and Transition issues permissions in {config.project}, "
            "or change jira.email.",
        )
    if failed.status == 404:
        return Explained(
            f"Jira does not know {what} ({quoted}).",
            "Check jira.url and jira.project in firebell.yml.",
        )
    if failed.errors:
        keys = sorted({config_key(config, field, followup) for field in failed.errors})
        return Explained(f"{quoted}.", "Change " + ", ".join(keys) + " in firebell.yml.")
    return Explained(f"{quoted}.", "Nothing was retried; fix the cause and ask again.")
