"""The rules of a report, one home for the Slack modal and the web form: plain values
become an IssueDraft, or errors keyed by the field at fault."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, TypeVar

from bot.core.domain import IssueType, Priority, Severity, label
from bot.core.ids import Field
from bot.incidents.drafts import IssueDraft, Source

TITLE_MAX = 150
SERVICE_MAX = 80
TEXT_MAX = 3000  # Slack's limit for a plain_text_input value
TRACE_ID_MAX = 200
USERS_AFFECTED_MAX = 10**9
E = TypeVar("E", IssueType, Severity, Priority)
# What a trace or correlation ID is made of (W3C and Jaeger hex ids, X-Ray's `1-5759e988-…`,
# `key=value` correlation ids), for the report form and the alert readers alike: nothing
# that breaks a log line, a URL template or a message. Matched whole (`fullmatch`: `$`
# would let a final newline through).
TRACE_ID_PATTERN = re.compile(r"[A-Za-z0-9._:/=-]+")
TRACE_ID_CHARACTERS = "letters, digits and . _ : / = - only"
# ASCII digits, grouped in thousands by commas or underscores if at all: str.isdigit()
# also accepts "²" and "١٢", which int() rejects or reads unexpectedly.
WHOLE_NUMBER = re.compile(r"[0-9]+|[0-9]{1,3}(?:,[0-9]{3})+|[0-9]{1,3}(?:_[0-9]{3})+")


class FormErrors(Exception):
    """Inline errors for the modal: block id -> message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__(errors)
        self.errors = errors


def _value(values: dict[str, Any], field: Field) -> Any:
    """The raw element state of one input: text, selected option value(s), or None."""
    element = values.get(field.value, {}).get(field.value)
    if not element:
        return None
    if "selected_option" in element:
        option = element["selected_option"]
        return option["value"] if option else None
    if "selected_options" in element:
        return [o["value"] for o in element["selected_options"] or []]
    return element.get("value")


def modal_values(values: dict[str, Any]) -> dict[str, Any]:
    """The modal's state as plain values: text or the chosen option's value per field,
    and whether "private" is ticked."""
    plain: dict[str, Any] = {f.value: _value(values, f) for f in Field if f is not Field.PRIVATE}
    plain[Field.PRIVATE.value] = Field.PRIVATE.value in (_value(values, Field.PRIVATE) or [])
    return plain


def _plain(plain: Mapping[str, Any], field: Field) -> str | None:
    raw = plain.get(field.value)
    return raw.strip() if isinstance(raw, str) else None


def _text(plain: Mapping[str, Any], field: Field, limit: int, errors: dict[str, str]) -> str | None:
    text = _plain(plain, field)
    if not text:
        return None
    if len(text) > limit:
        errors[field] = f"Keep this to {limit} characters or fewer (it has {len(text)})."
    return text


def _choice(
    plain: Mapping[str, Any], field: Field, enum: type[E], errors: dict[str, str], *, required: bool
) -> E | None:
    raw = _plain(plain, field)
    if not raw:
        if required:
            errors[field] = "Choose one."
        return None
    try:
        return enum(raw)
    except ValueError:
        allowed = ", ".join(label(m.value) for m in enum)
        errors[field] = f"Choose one of: {allowed}."
        return None


def parse_report(
    values: dict[str, Any], *, reporter_id: str, source: Source | None = None
) -> IssueDraft:
    """The modal's submitted state, checked by `parse_fields`."""
    return parse_fields(modal_values(values), reporter_id=reporter_id, source=source)


def parse_fields(
    plain: Mapping[str, Any], *, reporter_id: str, source: Source | None = None
) -> IssueDraft:
    """The report's rules, on plain values (field name -> text, or True/False for
    "private"), for the Slack modal and the web form alike. Every field is checked at
    once, so the person sees all problems in one round."""
    errors: dict[str, str] = {}
    title = _text(plain, Field.TITLE, TITLE_MAX, errors)
    if not title:
        errors[Field.TITLE] = "Give the issue a short title, e.g. “Checkout fails for EU users”."
    issue_type = _choice(plain, Field.TYPE, IssueType, errors, required=True)
    severity = _choice(plain, Field.SEVERITY, Severity, errors, required=True)
    priority = _choice(plain, Field.PRIORITY, Priority, errors, required=False)
    service = _text(plain, Field.SERVICE, SERVICE_MAX, errors)
    environment = _text(plain, Field.ENVIRONMENT, TEXT_MAX, errors)
    description = _text(plain, Field.DESCRIPTION, TEXT_MAX, errors)
    stack_trace = _text(plain, Field.STACK_TRACE, TEXT_MAX, errors)
    trace_id = _text(plain, Field.TRACE_ID, TRACE_ID_MAX, errors)
    if trace_id and Field.TRACE_ID not in errors and not TRACE_ID_PATTERN.fullmatch(trace_id):
        errors[Field.TRACE_ID] = f"A trace or correlation ID has no spaces: {TRACE_ID_CHARACTERS}."
    users_affected = _users_affected(_plain(plain, Field.USERS_AFFECTED), errors)
    private = plain.get(Field.PRIVATE.value) is True
    if errors:
        raise FormErrors(errors)
    assert title and issue_type and severity  # guaranteed by the checks above
    return IssueDraft(
        title=title,
        type=issue_type,
        severity=severity,
        priority=priority,
        service=service,
        environment=environment,
        description=description,
        stack_trace=stack_trace,
        trace_id=trace_id,
        users_affected=users_affected,
        private=private,
        reporter_id=reporter_id,
        source=source,
    )


def _users_affected(raw: str | None, errors: dict[str, str]) -> int | None:
    if not raw:
        return None
    if not WHOLE_NUMBER.fullmatch(raw):  # stripped by _plain
        errors[Field.USERS_AFFECTED] = (
            "Enter a whole number of users, e.g. 120 or 1,200 (or leave empty)."
        )
        return None
    digits = raw.replace(",", "").replace("_", "").lstrip("0") or "0"
    # The length first: int() refuses 4,300 digits or more.
    if len(digits) > len(str(USERS_AFFECTED_MAX)) or int(digits) > USERS_AFFECTED_MAX:
        errors[Field.USERS_AFFECTED] = (
            f"That is more than {USERS_AFFECTED_MAX:,}; check the number."
        )
        return None
    return int(digits)
