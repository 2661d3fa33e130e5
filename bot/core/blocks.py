"""Small Block Kit helpers that keep every string within Slack's limits."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from typing import Any

from bot.core.ids import Action

HEADER_MAX = 150
SECTION_TEXT_MAX = 3000
FIELD_TEXT_MAX = 2000
OPTION_TEXT_MAX = 75
MESSAGE_TEXT_MAX = 40000


# An escaped character cut short at the end ("&l" of "&lt;"), which would show as typed.
CUT_ENTITY = re.compile(r"&[a-z]{0,3}$")


def clip(text: str, limit: int) -> str:
    """Shorten to `limit` characters, marking the cut with an ellipsis. Clip after
    escaping (escaping makes text up to five times longer); the cut never splits an
    escaped character."""
    if len(text) <= limit:
        return text
    return CUT_ENTITY.sub("", text[: limit - 1]) + "…"


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": clip(text, limit), "emoji": True}


def mrkdwn(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": clip(text, limit)}


def header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": plain(text, HEADER_MAX)}


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": mrkdwn(text)}


def fields(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """A section of up to 10 label/value fields (Slack's maximum)."""
    return {
        "type": "section",
        "fields": [mrkdwn(f"*{name}*\n{value}", FIELD_TEXT_MAX) for name, value in pairs[:10]],
    }


def context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [mrkdwn(text)]}


def code_block(text: str) -> dict[str, Any]:
    """Typed text (a stack trace) in a code block: Slack parses <…> even inside fences."""
    # Six characters go to the fences; keep the whole text within the section limit.
    return section("```" + clip(escape(text), SECTION_TEXT_MAX - 6) + "```")


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


MENTION = re.compile(r"&lt;([@#])([UWC][A-Z0-9]+)&gt;")


def escape_keep_mentions(text: str, people: frozenset[str]) -> str:
    """Escape text but keep mentions (<@U…>, <#C…>) of the given ids working.

    For text Firebell composed from its own records (a review), where a mention of
    someone in the issue is meant; a mention of anyone else, links and other
    markup stay escaped, so text a person typed cannot ping or link.
    """

    def keep(match: re.Match[str]) -> str:
        return f"<{match[1]}{match[2]}>" if match[2] in people else match[0]

    return MENTION.sub(keep, escape(text))


def slack_date(moment: datetime) -> str:
    """<!date^…> shows the time in each reader's own time zone; the fallback is UTC."""
    fallback = f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"  # a local time, said in UTC
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def button(text: str, action: Action, value: str, style: str | None = None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "button",
        "text": {"type": "plain_text", "text": clip(text, 75), "emoji": True},
        "action_id": action.value,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def modal_metadata(raw: str | None) -> dict[str, Any]:
    """A modal's private_metadata as a mapping; anything unreadable is empty."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def safe_link(url: object) -> bool:
    """A URL Firebell may put inside <url|text>: http(s) and none of the characters that
    would end the link early or start Slack markup."""
    return (
        isinstance(url, str)
        and url.startswith(("http://", "https://"))
        and not any(c in url for c in "<>| \n")
    )
