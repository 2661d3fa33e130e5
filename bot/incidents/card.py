"""The summary card pinned in an issue's channel, and the messages around filing."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from bot.core.blocks import (
    button,
    clip,
    code_block,
    context,
    escape,
    fields,
    header,
    safe_link,
    section,
    slack_date,
)
from bot.core.domain import Status, label
from bot.core.ids import Action
from bot.core.reporters import reporter_text
from bot.incidents.card_context import context_line


def _person(user_id: str | None) -> str:
    return f"<@{user_id}>" if user_id else "nobody yet"


def card_actions(issue: Any) -> dict[str, Any] | None:
    """The buttons for what people do most; none once the issue is closed."""
    if issue.status == Status.CLOSED:
        return None
    value = str(issue.id)
    elements = []
    if issue.acknowledged_at is None:
        elements.append(button("Acknowledge", Action.ACK, value, "primary"))
    if not issue.assignee_id:
        elements.append(button("Assign to me", Action.ASSIGN_ME, value))
    elements.append(button("Post update", Action.POST_UPDATE, value))
    elements.append(button("Change severity", Action.CHANGE_SEVERITY, value))
    if issue.status == Status.RETEST:
        elements.append(button("Mark fixed", Action.MARK_FIXED, value, "primary"))
    return {"type": "actions", "block_id": "card_actions", "elements": elements}


@dataclass(frozen=True)
class CardExtras:
    """What the card shows beyond the issue row: deploys before it, trace links."""

    deploys: list[Any] = field(default_factory=list)  # newest first
    deploy_window: str = ""
    trace_links: dict[str, str] = field(default_factory=dict)
    helpers: dict[str, str] = field(default_factory=dict)  # role (comms, scribe) -> user id
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)  # key, reasons
    related: list[str] = field(default_factory=list)  # keys of linked issues
    merged_into: str | None = None  # the key this one was closed as a duplicate of
    reporters: int = 1  # people who reported it (merged duplicates add theirs)
    web_link: str | None = None  # the issue's web page, when the web app has an address


def kin_line(extras: CardExtras) -> str | None:
    """Duplicates and links: other issues by key only (one may be private)."""
    parts = []
    if extras.merged_into:
        parts.append(f":link: Closed as a duplicate of *{extras.merged_into}*")
    for key, reasons in extras.duplicates[:3]:
        why = f" ({escape(', '.join(reasons))})" if reasons else ""
        parts.append(f":mag: Possible duplicate of *{key}*{why}")
    if extras.related:
        parts.append(":link: Related: " + ", ".join(f"*{key}*" for key in extras.related[:10]))
    return " · ".join(parts) or None


def deploys_line(issue: Any, extras: CardExtras) -> str | None:
    if not extras.deploys:
        return None
    shown = [
        f"<{d.link}|{escape(d.version)}>" if safe_link(d.link) else escape(d.version)
        for d in extras.deploys[:5]
    ]
    more = f" and {len(extras.deploys) - 5} more" if len(extras.deploys) > 5 else ""
    count = len(extras.deploys)
    return (
        f":rocket: {count} deploy{'s' if count > 1 else ''} to {escape(issue.service)} in the "
        f"{extras.deploy_window} before this issue: {', '.join(shown)}{more}"
    )


def trace_value(trace_id: str, links: dict[str, str]) -> str:
    shown = f"`{escape(trace_id)}`"
    if links:
        shown += " " + " · ".join(
            f"<{template.replace('{trace_id}', quote(trace_id, safe=''))}|{escape(name)}>"
            for name, template in links.items()
        )
    return shown


def issue_card(
    issue: Any, *, with_actions: bool = True, extras: CardExtras | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """Fallback text and blocks for the pinned card (buttons only where people act on it)."""
    extras = extras or CardExtras()
    pairs = [
        ("Status", f"{label(issue.status)} ({issue.phase})"),
        ("Severity (reporter)", label(issue.severity)),
        ("Priority (engineering)", label(issue.priority) if issue.priority else "Not set"),
        ("Type", label(issue.type)),
        ("Reporter", reporter_text(issue.reporter_id)),
        ("Commander", _person(issue.commander_id)),
        ("Assignee", _person(issue.assignee_id)),
    ]
    if issue.service:
        pairs.append(("Service", escape(issue.service)))
    if issue.users_affected is not None:
        pairs.append(("Users affected", f"{issue.users_affected:,}"))
    if issue.trace_id:
        pairs.append(("Trace ID", trace_value(issue.trace_id, extras.trace_links)))
    if issue.occurrences > 1:
        pairs.append(("Occurrences", f"{issue.occurrences:,}"))
    if extras.reporters > 1:
        pairs.append(("Reporters", f"{extras.reporters:,}"))
    for role, user in sorted(extras.helpers.items()):
        pairs.append((role.capitalize(), _person(user)))
    blocks: list[dict[str, Any]] = [header(f"{issue.key}: {issue.title}")]
    # A section holds at most 10 fields: the rest go in a second one.
    blocks += [fields(pairs[start : start + 10]) for start in range(0, len(pairs), 10)]
    if issue.description:
        blocks.append(section("*Description*\n" + escape(issue.description)))
    if issue.environment:
        blocks.append(section("*Environment*\n" + escape(issue.environment)))
    if issue.stack_trace:
        blocks.append(code_block(issue.stack_trace))
    sent_from = context_line(getattr(issue, "context", None))  # a report from outside Slack
    if sent_from:
        blocks.append(context(sent_from))
    moments = [f"Filed {slack_date(issue.created_at)}"]
    if safe_link(issue.source_permalink):
        moments[0] += f" from <{issue.source_permalink}|this message>"
    for name, moment in (
        ("acknowledged", issue.acknowledged_at),
        ("fixed", issue.fixed_at),
        ("deployed", issue.deployed_at),
        ("closed", issue.closed_at),
    ):
        if moment is not None:
            moments.append(f"{name} {slack_date(moment)}")
    deploys = deploys_line(issue, extras)
    if deploys:
        blocks.append(context(deploys))
    kin = kin_line(extras)
    if kin:
        blocks.append(context(kin))
    if issue.breached_at is not None:
        moments.append(f":red_circle: SLA breached {slack_date(issue.breached_at)}")
    if issue.private:
        moments.append(":lock: private")
    if issue.playbook:
        moments.append(f"playbook: {escape(issue.playbook)}")
    if extras.web_link:
        moments.append(f"<{escape(extras.web_link)}|Open in Firebell's web app>")
    blocks.append(context(" · ".join(moments)))
    actions = card_actions(issue) if with_actions else None
    if actions:
        blocks.append(actions)
    text = f"{issue.key}: {escape(issue.title)} ({label(issue.severity)}, {label(issue.status)})"
    return clip(text, 3000), blocks


def reporter_confirmation(issue: Any) -> str:
    where = f"<#{issue.channel_id}>" if issue.channel_id else "its channel"
    return (
        f"Thanks, your report is filed as *{issue.key}*: {escape(issue.title)}.\n"
        f"Follow it and talk to the responders in {where}."
    )


def source_thread_reply(issue: Any) -> str:
    if issue.private:
        return (
            f":white_check_mark: Filed as *{issue.key}* (private). "
            "The reporter was added to its channel."
        )
    where = f" Follow along in <#{issue.channel_id}>." if issue.channel_id else ""
    return f":white_check_mark: Filed as *{issue.key}*.{where}"
