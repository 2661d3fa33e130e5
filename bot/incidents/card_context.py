"""Where a report from outside Slack was sent from, in brief: the one rendering of
`Issue.context` (reports/context.py stores it) for the Slack card and the web's issue
page alike. Browser and OS, screen and viewport, the page, the pages visited before it
and the console errors, each shortened; a person's words never link or ping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bot.core.blocks import clip, escape

# `Issue.context["via"]`: the surface a report came through, as people name it.
VIA = "via"
VIA_WEB_FORM = "web"
VIA_NAMES = {VIA_WEB_FORM: "Web form", "embed": "Embedded reporter"}
SHOWN_MAX = 150  # characters of a page address or a console error


@dataclass(frozen=True)
class ContextBrief:
    via: str | None = None  # "Web form"
    where: str | None = None  # "Chrome 131 on Linux (Pixel 7)"
    sizes: str | None = None  # "screen 1440x900, viewport 1280x720"
    page: str | None = None
    pages: int = 0  # pages visited in the session before the report
    errors: int = 0  # console errors captured
    first_error: str | None = None  # its first line

    def counts(self) -> str | None:
        parts = []
        if self.pages:
            parts.append(f"{self.pages} page{'s' if self.pages != 1 else ''} visited")
        if self.errors:
            parts.append(f"{self.errors} console error{'s' if self.errors != 1 else ''}")
        return ", ".join(parts) or None


def _text(value: Any) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return clip(" ".join(value.split()), SHOWN_MAX)


def came_via(context: Mapping[str, Any] | None) -> str | None:
    """ "Web form" for a report filed with the web app's form; None for other sources."""
    if not isinstance(context, Mapping):
        return None
    return VIA_NAMES.get(str(context.get(VIA)))


def _page(url: Any) -> str | None:
    """The page's path: enough to find it, without the site's address or a query that
    may carry a customer's data."""
    if not isinstance(url, str):
        return None
    try:
        return _text(urlsplit(url).path or "/")
    except ValueError:
        return _text(url)


def brief(context: Mapping[str, Any] | None) -> ContextBrief | None:
    """What the card and the issue page show of a report's context; None without one."""
    if not isinstance(context, Mapping) or not context:
        return None
    browser, os_name = _text(context.get("browser")), _text(context.get("os"))
    where = " on ".join(p for p in (browser, os_name) if p) or None
    device = _text(context.get("device"))
    if where and device:
        where += f" ({device})"
    sizes = ", ".join(
        f"{name} {value}" for name in ("screen", "viewport") if (value := _text(context.get(name)))
    )
    pages = context.get("pages")
    errors = context.get("console_errors")
    errors = errors if isinstance(errors, list) else []
    first = errors[0].get("message") if errors and isinstance(errors[0], Mapping) else None
    first_line = first.strip().splitlines()[0] if isinstance(first, str) and first.strip() else None
    found = ContextBrief(
        via=came_via(context),
        where=where,
        sizes=sizes or None,
        page=_page(context.get("page_url")),
        pages=len(pages) if isinstance(pages, list) else 0,
        errors=len(errors),
        first_error=_text(first_line),
    )
    return found if found != ContextBrief() else None


def _code(text: str) -> str:
    """Inline code: Slack neither links an address nor reads markup inside it."""
    return "`" + escape(text.replace("`", "'")) + "`"


def context_line(context: Mapping[str, Any] | None) -> str | None:
    """The card's line (mrkdwn), e.g. ":globe_with_meridians: Web form · Chrome 131 on
    Linux · screen 1920x1080, viewport 1200x800 · page `https://…` · 2 console errors,
    first: `TypeError: …`"""
    b = brief(context)
    if b is None:
        return None
    parts = [escape(p) for p in (b.via, b.where, b.sizes) if p]
    if b.page:
        parts.append("page " + _code(b.page))
    counts = b.counts()
    if counts:
        parts.append(escape(counts) + (", first: " + _code(b.first_error) if b.first_error else ""))
    return ":globe_with_meridians: " + " · ".join(parts) if parts else None


def context_lines(context: Mapping[str, Any] | None) -> list[tuple[str, str]]:
    """The issue page's rows (plain text, escaped by the template): label, value."""
    b = brief(context)
    if b is None:
        return []
    rows = [
        (name, value)
        for name, value in (
            ("Sent with", b.where),
            ("Display", b.sizes),
            ("Page", b.page),
            ("Captured", b.counts()),
            ("First console error", b.first_error),
        )
        if value
    ]
    return rows
