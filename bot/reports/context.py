"""Where a report from outside Slack was sent from: the browser, OS and device (parsed
from the User-Agent with ua-parser's maintained rules), and what the page itself tells
(screen and viewport, time zone, language, the page, the console errors and the pages
visited before it). Kept on the issue as `Issue.context`; the environment line and the
console errors become the issue's environment and stack trace."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ua_parser import parse

# What a report may carry, at most (the embedded reporter keeps the same numbers).
MAX_CONSOLE_ERRORS = 20
MAX_PAGES = 10
TEXT_MAX = 2000  # one console error with its stack, or one URL


@dataclass(frozen=True)
class ConsoleError:
    message: str
    stack: str | None = None
    at: str | None = None  # the browser's ISO time


@dataclass(frozen=True)
class ClientContext:
    browser: str | None = None
    os: str | None = None
    device: str | None = None
    user_agent: str | None = None
    screen: str | None = None  # "1440x900"
    viewport: str | None = None
    time_zone: str | None = None
    language: str | None = None
    page_url: str | None = None
    pages: list[str] = field(default_factory=list)
    console_errors: list[ConsoleError] = field(default_factory=list)

    def as_stored(self) -> dict[str, Any]:
        """For `Issue.context`: empty values left out."""
        return {k: v for k, v in asdict(self).items() if v not in (None, [], "")}

    def environment(self) -> str | None:
        """One line for the issue's environment field, e.g. "Chrome 131 on Mac OS X 10.15.7
        (Mac); screen 1440x900, viewport 1280x720; Europe/Berlin; de-DE"."""
        parts = []
        if self.browser or self.os:
            where = " on ".join(p for p in (self.browser, self.os) if p)
            parts.append(f"{where} ({self.device})" if self.device else where)
        sizes = [
            f"{label} {value}"
            for label, value in (("screen", self.screen), ("viewport", self.viewport))
            if value
        ]
        if sizes:
            parts.append(", ".join(sizes))
        parts += [p for p in (self.time_zone, self.language) if p]
        return "; ".join(parts) or None

    def console_text(self) -> str | None:
        """The console errors, newest last, for the issue's stack trace field."""
        if not self.console_errors:
            return None
        blocks = []
        for error in self.console_errors:
            blocks.append(
                error.stack
                if error.stack and error.message in error.stack
                else "\n".join(p for p in (error.message, error.stack) if p)
            )
        return "\n\n".join(blocks)


def _version(family: str | None, *parts: str | None) -> str | None:
    if not family or family == "Other":
        return None
    numbers = [p for p in parts if p]
    return f"{family} {'.'.join(numbers)}" if numbers else family


def from_user_agent(user_agent: str | None) -> dict[str, str | None]:
    """Browser, OS and device as people name them; None where the parser does not know."""
    if not user_agent:
        return {"browser": None, "os": None, "device": None}
    result = parse(user_agent[:TEXT_MAX])
    ua, os, device = result.user_agent, result.os, result.device
    return {
        "browser": _version(ua.family, ua.major) if ua else None,
        "os": _version(os.family, os.major, os.minor, os.patch) if os else None,
        "device": device.family if device and device.family not in (None, "Other") else None,
    }
