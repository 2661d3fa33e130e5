"""What a browser tells about itself with a report, checked: the User-Agent header
(parsed by context.py) and what a page's script reads (screen and viewport size, time
zone, language). A value that is not of its shape is left out, not refused: the report
matters more than its context, and the person did not type these."""

from __future__ import annotations

import re
from collections.abc import Mapping

from bot.reports.context import ClientContext, from_user_agent

SIZE = re.compile(r"[1-9][0-9]{0,4}x[1-9][0-9]{0,4}")  # "1440x900"
TIME_ZONE = re.compile(r"[A-Za-z][A-Za-z0-9_+/-]{0,63}")  # IANA: "America/Argentina/Salta"
LANGUAGE = re.compile(r"[A-Za-z]{2,8}(?:-[A-Za-z0-9]{1,8}){0,4}")  # BCP 47: "de-CH"
USER_AGENT_MAX = 500
SHAPES = {"screen": SIZE, "viewport": SIZE, "time_zone": TIME_ZONE, "language": LANGUAGE}


def _checked(told: Mapping[str, object], name: str) -> str | None:
    value = told.get(name)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value if SHAPES[name].fullmatch(value) else None


def browser_context(user_agent: str | None, told: Mapping[str, object]) -> ClientContext:
    """The browser (from its User-Agent) and what its page told (`screen`, `viewport`,
    `time_zone`, `language`)."""
    agent = "".join(c for c in (user_agent or "") if c.isprintable())[:USER_AGENT_MAX] or None
    parsed = from_user_agent(agent)
    return ClientContext(
        browser=parsed["browser"],
        os=parsed["os"],
        device=parsed["device"],
        user_agent=agent,
        screen=_checked(told, "screen"),
        viewport=_checked(told, "viewport"),
        time_zone=_checked(told, "time_zone"),
        language=_checked(told, "language"),
    )
