"""A report as the embedded reporter sends it: read, checked and cleaned.

What the page sends is untrusted text from anyone on the internet. What the person
typed (the title and the description) must be plain words: markup (HTML tags, Slack's
`<!channel>`, `<@U…>`, `<#C…>`) or control characters there are refused with a 422
saying so, and nothing is filed. What the browser captured (console errors with their
stacks, page addresses) often quotes code, so it is kept as text: control characters
are stripped (a line break and a tab stay), lengths are bounded, and everything that
shows it escapes it (Slack: core/blocks.py escape; pages: Jinja's autoescape). What
cannot be a report (no title, no report id, a malformed e-mail, a field of the wrong
kind) is refused with the reason, before anything is stored."""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.core.http_problems import Problem
from bot.incidents.card_context import VIA
from bot.reports.context import MAX_CONSOLE_ERRORS, MAX_PAGES, TEXT_MAX, ClientContext, ConsoleError

TITLE_MAX = 150  # Issue.title
DESCRIPTION_MAX = 10_000
SHORT_MAX = 100  # a screen size, a time zone, a language
# A report id from the script (one per opened form): a retry or a double click sends
# the same one and gets the same status link.
REPORT_ID = r"^[A-Za-z0-9_-]{8,80}$"
# Enough to tell an address from a typo; Slack's users.lookupByEmail decides the rest.
EMAIL = re.compile(r"^[^@\s<>]{1,64}@[^@\s<>]{1,189}\.[^@\s<>.]{2,63}$")
KEPT_CONTROLS = {"\n", "\t"}
# Markup a person's words may not carry: an HTML tag, or Slack's mention and link syntax.
MARKUP = re.compile(r"<[A-Za-z/!?][^>]*>|<[@#][^>]*>")


def typed_refusal(what: str, text: str) -> str | None:
    """Why typed text cannot be filed as it is, or None."""
    normal = text.replace("\r\n", "\n").replace("\r", "\n")
    if any(c not in KEPT_CONTROLS and unicodedata.category(c) in ("Cc", "Cf") for c in normal):
        return f"The {what} has control characters; write it as plain words."
    found = MARKUP.search(normal)
    if found:
        shown = found.group(0)[:40].replace("<", "‹").replace(">", "›")
        return (
            f"The {what} has markup ({shown}); write it as plain words, without "
            "HTML or Slack's <…> syntax."
        )
    return None


def clean(text: str, limit: int) -> str:
    """Text without control characters (but line breaks and tabs), at most `limit` long."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        c for c in text if c in KEPT_CONTROLS or unicodedata.category(c) not in ("Cc", "Cf", "Cs")
    )
    return kept[:limit]


def _clean_or_none(value: str | None, limit: int) -> str | None:
    if value is None:
        return None
    return clean(value, limit).strip() or None


class _Error(BaseModel):
    model_config = ConfigDict(extra="ignore")

    message: str = Field(default="", max_length=100_000)
    stack: str | None = Field(default=None, max_length=100_000)
    at: str | None = Field(default=None, max_length=SHORT_MAX)


class _Context(BaseModel):
    model_config = ConfigDict(extra="ignore")

    page_url: str | None = Field(default=None, max_length=100_000)
    pages: list[str] = Field(default_factory=list, max_length=100)
    console_errors: list[_Error] = Field(default_factory=list, max_length=100)
    screen: str | None = Field(default=None, max_length=SHORT_MAX)
    viewport: str | None = Field(default=None, max_length=SHORT_MAX)
    time_zone: str | None = Field(default=None, max_length=SHORT_MAX)
    language: str | None = Field(default=None, max_length=SHORT_MAX)


class _Report(BaseModel):
    model_config = ConfigDict(extra="ignore")

    report_id: str = Field(pattern=REPORT_ID)
    title: str = Field(max_length=10_000)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX * 2)
    email: str | None = Field(default=None, max_length=254)
    context: _Context = Field(default_factory=_Context)

    @field_validator("email")
    @classmethod
    def _an_address(cls, value: str | None) -> str | None:
        value = (value or "").strip()
        if not value:
            return None
        if clean(value, 254) != value or EMAIL.fullmatch(value) is None:
            raise ValueError("this is not an e-mail address")
        return value


@dataclass(frozen=True)
class EmbeddedReport:
    report_id: str
    title: str
    description: str | None
    email: str | None
    page: ClientContext  # what the page told; the User-Agent is added by the route


def _reason(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"]) or "the report"
    return f"{where}: {first['msg']}"


def read_report(raw: bytes) -> EmbeddedReport:
    """The report from its JSON; Problem(400/422) with the reason when it is not one."""
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, ValueError):
        raise Problem(400, "The report is not JSON.") from None
    if not isinstance(data, dict):
        raise Problem(422, "The report must be a JSON object.")
    try:
        report = _Report.model_validate(data)
    except ValidationError as exc:
        raise Problem(422, f"The report is not valid: {_reason(exc)}.") from None
    for what, typed in (("title", report.title), ("description", report.description or "")):
        refusal = typed_refusal(what, typed)
        if refusal:
            raise Problem(422, refusal)
    title = _clean_or_none(report.title, TITLE_MAX + 1)
    if title is None:
        raise Problem(422, "The report needs a title.")
    if len(title) > TITLE_MAX:
        raise Problem(422, f"The title is longer than {TITLE_MAX} characters.")
    description = _clean_or_none(report.description, DESCRIPTION_MAX + 1)
    if description is not None and len(description) > DESCRIPTION_MAX:
        raise Problem(422, f"The description is longer than {DESCRIPTION_MAX} characters.")
    return EmbeddedReport(
        report_id=report.report_id,
        title=title,
        description=description,
        email=report.email,
        page=_context(report.context),
    )


def _context(sent: _Context) -> ClientContext:
    """What the page told, cleaned; the newest errors and pages when it sent more."""
    errors = [
        ConsoleError(
            message=clean(e.message, TEXT_MAX),
            stack=_clean_or_none(e.stack, TEXT_MAX),
            at=_clean_or_none(e.at, SHORT_MAX),
        )
        for e in sent.console_errors[-MAX_CONSOLE_ERRORS:]
        if e.message.strip() or (e.stack or "").strip()
    ]
    pages = [p for p in (clean(p, TEXT_MAX).strip() for p in sent.pages[-MAX_PAGES:]) if p]
    return ClientContext(
        screen=_clean_or_none(sent.screen, SHORT_MAX),
        viewport=_clean_or_none(sent.viewport, SHORT_MAX),
        time_zone=_clean_or_none(sent.time_zone, SHORT_MAX),
        language=_clean_or_none(sent.language, SHORT_MAX),
        page_url=_clean_or_none(sent.page_url, TEXT_MAX),
        pages=pages,
        console_errors=errors,
    )


def stored_context(page: ClientContext, site: str) -> dict[str, Any]:
    """For Issue.context: what the page told, the surface (incidents/card_context.py
    names it) and the site it came from."""
    return {**page.as_stored(), VIA: "embed", "site": site}
