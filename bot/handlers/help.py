"""Help text for `/incident help` and for mistakes."""

from __future__ import annotations

from bot.core.blocks import escape
from bot.core.ids import SLASH_COMMAND
from bot.handlers.command_parser import USAGE

WHAT = {
    "new": "open the Report an issue form (the title filled in)",
    "assign": "make someone the assignee",
    "role": "name the commander, comms or scribe",
    "severity": "change the reporter-facing severity",
    "priority": "change the engineering priority",
    "status": "move the status (New → Assigned → Revise ↔ Retest → Fixed → Closed)",
    "update": "post a status update to the channel and the timeline",
    "ack": "acknowledge; on an issue nobody leads, you take it",
    "fixed": "mark the fix done (from Retest)",
    "deployed": "mark the fix deployed (after fixed)",
    "close": "close a fixed issue, with an optional resolution summary",
    "reopen": "reopen a fixed or closed issue",
    "show": "the issue's card, just for you",
    "list": "open issues, yours, or all",
    "timeline": "what happened, in order",
    "escalate": "page the next escalation step now (or start escalating)",
    "page": "page a person, a user group or whoever is on call, now",
    "merge": "close an issue as a duplicate of another; its reporters follow that one",
    "link": "mark two issues as related (shown on both cards)",
    "search": "find issues by words in titles, descriptions, traces, updates, pins",
    "summary": "catch up: what happened, where it stands, who is on it, what is next",
    "review": "draft the post-incident review from the timeline",
    "followups": "open follow-ups from published reviews (yours with `mine`)",
    "oncall": "who is on call now and next",
    "override": "put someone on call for a while (admins and whoever is on call)",
    "stats": "time to acknowledge, fix and deploy, SLA compliance, against the period before",
    "help": "this list",
}


def help_text(problem: str | None = None) -> str:
    # The problem quotes what the person typed: escaped, so it cannot mention or link.
    lines = [escape(problem), ""] if problem else []
    lines.append(
        "*Firebell commands* (in an issue's channel the issue is implied; elsewhere add `INC-n`)"
    )
    lines.append(f"• `{SLASH_COMMAND}` – open the Report an issue form")
    lines += [f"• `{SLASH_COMMAND} {USAGE[name]}` – {WHAT[name]}" for name in USAGE]
    lines.append(
        "Or use the message shortcut *File an issue* on any message (⋯ menu). "
        "React with :pushpin: to add a message to the timeline."
    )
    return "\n".join(lines)
