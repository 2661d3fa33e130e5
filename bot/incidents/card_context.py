"""Where a report from outside Slack was sent from, in brief, for the Slack card and the
web's issue page: the page, and the console errors (how many, and the first).

(A minimal version by the embed branch; the webform branch has the fuller one with
the same functions, which replaces this one when both are merged.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from bot.core.blocks import clip, escape

# `Issue.context["via"]`: the surface a report came through, as people name it.
VIA = "via"
VIA_NAMES = {"web": "Web form", "embed": "Embedded reporter"}
SHOWN_MAX = 150  # characters of a page address or a console error


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return clip(" ".join(value.split()), SHOWN_MAX)


def _first_error(context: Mapping[str, Any]) -> tuple[int, str | None]:
    errors = context.get("console_errors")
    errors = errors if isinstance(errors, list) else []
    first = errors[0].get("message") if errors and isinstance(errors[0], Mapping) else None
    line = first.strip().splitlines()[0] if isinstance(first, str) and first.strip() else None
    return len(errors), _text(line)


def _page(context: Mapping[str, Any]) -> str | None:
    url = context.get("page_url")
    if not isinstance(url, str):
        return None
    try:
        return _text(urlsplit(url).path or "/")
    except ValueError:
        return _text(url)


def _code(text: str) -> str:
    """Inline code: Slack neither links an address nor reads markup inside it."""
    return "`" + escape(text.replace("`", "'")) + "`"


def context_line(context: Mapping[str, Any] | None) -> str | None:
    """The card's line (mrkdwn): ":globe_with_meridians: Embedded reporter · page
    `/checkout` · 2 console errors, first: `TypeError: …`"""
    if not isinstance(context, Mapping) or not context:
        return None
    parts = [escape(VIA_NAMES[via])] if (via := context.get(VIA)) in VIA_NAMES else []
    page = _page(context)
    if page:
        parts.append("page " + _code(page))
    count, first = _first_error(context)
    if count:
        words = f"{count} console error{'s' if count != 1 else ''}"
        parts.append(words + (", first: " + _code(first) if first else ""))
    return ":globe_with_meridians: " + " · ".join(parts) if parts else None


def context_lines(context: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The issue page's rows (plain text, escaped by the template): label, value."""
    if not isinstance(context, Mapping) or not context:
        return []
    count, first = _first_error(context)
    rows = [
        ("Page", _page(context)),
        ("Console errors", str(count) if count else None),
        ("First console error", first),
    ]
    return [(name, value) for name, value in rows if value]
