"""An issue as an Atlassian Document Format document, Jira's description format.

Everything a person or a tool typed goes in as text nodes: ADF has no markup to
interpret, so nothing typed can become a link, a mention or a macro. URLs Firebell
itself knows (the Slack message, the issue's web page) get a link mark; a stack trace
is a codeBlock."""

from __future__ import annotations

from typing import Any

from bot.core.domain import label
from storage.models import FollowUp, Issue

MAX_TEXT = 30_000  # per node; Jira's description holds 32,767 characters in all


def text(value: str, href: str | None = None) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "text", "text": value[:MAX_TEXT]}
    if href:
        node["marks"] = [{"type": "link", "attrs": {"href": href}}]
    return node


def paragraph(*nodes: dict[str, Any]) -> dict[str, Any]:
    # ADF refuses an empty text node: a blank line is a paragraph without content.
    return {"type": "paragraph", "content": [n for n in nodes if n.get("text")]}


def heading(words: str) -> dict[str, Any]:
    return {"type": "heading", "attrs": {"level": 3}, "content": [text(words)]}


def code_block(body: str) -> dict[str, Any]:
    return {"type": "codeBlock", "attrs": {}, "content": [text(body)]}


def issue_document(issue: Issue, web_link: str | None = None) -> dict[str, Any]:
    facts = [
        f"{issue.key} · {label(issue.severity)} · {label(issue.type)}",
        f"Service: {issue.service}" if issue.service else "",
        f"Users affected: {issue.users_affected:,}" if issue.users_affected is not None else "",
        f"Trace ID: {issue.trace_id}" if issue.trace_id else "",
    ]
    content = [paragraph(text(" · ".join(f for f in facts if f)))]
    if issue.description:
        content.append(heading("Description"))
        content += [paragraph(text(part)) for part in issue.description.split("\n\n")]
    if issue.environment:
        content += [heading("Environment"), paragraph(text(issue.environment))]
    if issue.stack_trace:
        content += [heading("Stack trace"), code_block(issue.stack_trace)]
    links = []
    if web_link:
        links.append(text(f"{issue.key} in Firebell", web_link))
    if issue.source_permalink and issue.source_permalink.startswith("https://"):
        if links:
            links.append(text(" · "))
        links.append(text("the Slack message it was filed from", issue.source_permalink))
    if links:
        content.append(paragraph(*links))
    return {"type": "doc", "version": 1, "content": content}


def followup_document(
    followup: FollowUp, parent: Issue, web_link: str | None = None
) -> dict[str, Any]:
    """A review follow-up: what it is for, its due date, and where its issue is."""
    facts = [
        f"A follow-up of {parent.key} ({parent.title}), from its post-incident review.",
        f"Due {followup.due_on.isoformat()}." if followup.due_on else "",
        f"Priority: {label(followup.priority)}." if followup.priority else "",
    ]
    content = [paragraph(text(" ".join(f for f in facts if f)))]
    if web_link:
        content.append(paragraph(text(f"{parent.key} in Firebell", web_link)))
    return {"type": "doc", "version": 1, "content": content}
