"""`firebell check-config --jira`: ask Jira, before a real issue does, whether it will take
what firebell.yml maps (Jira's create metadata for the project and issue type) and
whether the configured transitions exist (the transitions Jira offers on the project's
newest issues: the workflow API would be exact but needs a Jira admin's token), and
whether the follow-ups' link type (jira.followup_link) is one of the site's."""

from __future__ import annotations

from typing import Any

from bot.integrations.jira_client import JiraClient, JiraFailed
from bot.integrations.jira_config import JiraConfig

# Fields Firebell always sends itself; a required one of these is never missing.
ALWAYS_SENT = {"project", "issuetype", "summary", "description", "labels"}
SAMPLE = 5  # newest issues whose transitions are read


async def check_jira(config: JiraConfig) -> tuple[list[str], list[str]]:
    """(lines that are fine, problems), each naming the key of firebell.yml it is about."""
    client = JiraClient(config)
    try:
        return await _check(client, config)
    except JiraFailed as failed:
        return [], [f"jira: {failed} (check jira.url, jira.email, jira.api_token, jira.project)"]


async def _check(client: JiraClient, config: JiraConfig) -> tuple[list[str], list[str]]:
    fine: list[str] = []
    problems: list[str] = []
    types = await client.issue_types(config.project)
    kind = next((t for t in types if str(t.get("name")) == config.issue_type), None)
    if kind is None:
        names = ", ".join(str(t.get("name")) for t in types) or "none"
        return fine, [
            f"jira.issue_type: {config.project} has no issue type {config.issue_type} ({names})"
        ]
    screen = {
        str(f.get("fieldId") or f.get("key")): f
        for f in await client.create_fields(config.project, str(kind["id"]))
    }
    sent = set(config.fields) | ALWAYS_SENT
    sent |= {"priority"} if config.priorities else set()
    sent |= {"components"} if config.components else set()
    for field_id in sorted(sent - ALWAYS_SENT):
        key = _key(field_id)
        if field_id not in screen:
            problems.append(
                f"{key}: Jira will refuse {field_id} (“cannot be set”): it is not on the "
                f"create screen of {config.project} {config.issue_type}"
            )
    for field_id, meta in sorted(screen.items()):
        if meta.get("required") and not meta.get("hasDefaultValue") and field_id not in sent:
            problems.append(
                f"jira.fields.{field_id}: {meta.get('name')} is required by {config.project} "
                f'{config.issue_type}; map it (e.g. {field_id}: "{{service}}")'
            )
    if not problems:
        fine.append(f"jira: {config.project} {config.issue_type} takes every mapped field: ok")
    problems += await _transitions(client, config, fine)
    problems += await _link_type(client, config, fine)
    return fine, problems


async def _transitions(client: JiraClient, config: JiraConfig, fine: list[str]) -> list[str]:
    if not config.transitions:
        return []
    found = await client.call(
        "GET", "/rest/api/3/search/jql", jql=f'project = "{config.project}" ORDER BY created DESC',
        maxResults=str(SAMPLE), fields="status",
    )  # fmt: skip
    issues: list[dict[str, Any]] = list((found or {}).get("issues") or [])
    if not issues:
        fine.append(f"jira.transitions: {config.project} has no issue yet to read them from")
        return []
    offered = {
        str(t.get("name")).casefold()
        for i in issues
        for t in await client.transitions(str(i["key"]))
    }
    missing = [
        f"jira.transitions.{status.value.capitalize()}: no transition named “{name}” is "
        f"offered on {config.project}'s newest issues"
        for status, name in config.transitions.items()
        if name.casefold() not in offered
    ]
    if not missing:
        fine.append("jira.transitions: every transition is offered: ok")
    return missing


async def _link_type(client: JiraClient, config: JiraConfig, fine: list[str]) -> list[str]:
    """The link type exported follow-ups use (names as Jira compares them: exactly)."""
    found = await client.call("GET", "/rest/api/3/issueLinkType")
    names = [str(t.get("name")) for t in (found or {}).get("issueLinkTypes") or []]
    if config.followup_link in names:
        fine.append(f"jira.followup_link: {config.followup_link}: ok")
        return []
    return [
        f"jira.followup_link: the site has no issue link type “{config.followup_link}” "
        f"({', '.join(names) or 'none'})"
    ]


def _key(field_id: str) -> str:
    return {"priority": "jira.priorities", "components": "jira.components"}.get(
        field_id, f"jira.fields.{field_id}"
    )


def report_jira(config: object, asked: bool = True) -> None:
    """For `check-config --jira` (nothing unless `asked`): print what is fine; the
    problems stop it with ConfigError."""
    if not asked:
        return
    import asyncio

    from bot.core.errors import ConfigError

    jira = getattr(config, "jira", None)
    if jira is None:
        raise ConfigError("--jira: firebell.yml has no jira section")
    fine, problems = asyncio.run(check_jira(jira))
    print("\n".join(fine))
    if problems:
        raise ConfigError("\n".join(problems))
