"""The "Report an issue" modal."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from typing import Any

from bot.core.blocks import clip, context, escape, plain, safe_link
from bot.core.domain import IssueType, Priority, Severity, label
from bot.core.ids import Callback, Field
from bot.incidents.drafts import Source
from bot.incidents.report_form import SERVICE_MAX, TEXT_MAX, TITLE_MAX, TRACE_ID_MAX

SEVERITY_HINTS = {
    Severity.TRIVIAL: "Cosmetic; no one is blocked",
    Severity.MINOR: "Annoying, with a workaround",
    Severity.MAJOR: "Important function broken for some users",
    Severity.CRITICAL: "Down, data loss, or security exposure",
}


@dataclass(frozen=True)
class ReportPrefill:
    title: str = ""
    description: str = ""
    source: Source | None = None
    source_channel_name: str | None = None


def encode_metadata(source: Source | None) -> str:
    """private_metadata carries the source message through the modal (≤ 3000 chars)."""
    if source is None:
        return "{}"
    data = {"source": {"channel": source.channel_id, "ts": source.message_ts}}
    if source.permalink and len(source.permalink) < 1000:
        data["source"]["permalink"] = source.permalink
    return json.dumps(data)


def decode_metadata(raw: str | None) -> Source | None:
    try:
        data = json.loads(raw or "{}")
        src = data.get("source")
        if not src:
            return None
        return Source(
            channel_id=src["channel"], message_ts=src["ts"], permalink=src.get("permalink")
        )
    except (ValueError, KeyError, TypeError, AttributeError):
        return None


def _option(value: str, text: str, description: str | None = None) -> dict[str, Any]:
    option: dict[str, Any] = {"text": plain(text, 75), "value": value}
    if description:
        option["description"] = plain(description, 75)
    return option


def _input(
    field: Field,
    title: str,
    element: dict[str, Any],
    *,
    optional: bool = True,
    hint: str | None = None,
) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "input",
        "block_id": field.value,
        "label": plain(title, 2000),
        "optional": optional,
        "element": {**element, "action_id": field.value},
    }
    if hint:
        block["hint"] = plain(hint, 2000)
    return block


def _text_input(
    max_length: int, *, initial: str = "", multiline: bool = False, placeholder: str | None = None
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "multiline": multiline,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = clip(initial, max_length)
    if placeholder:
        element["placeholder"] = plain(placeholder, 150)
    return element


def _select(options: list[dict[str, Any]], placeholder: str) -> dict[str, Any]:
    return {"type": "static_select", "placeholder": plain(placeholder, 150), "options": options}


def report_modal(prefill: ReportPrefill) -> dict[str, Any]:
    """The modal, prefilled. The result shares its fixed blocks: treat it as read-only."""
    blocks: list[dict[str, Any]] = []
    if prefill.source is not None:
        name = prefill.source_channel_name
        where = f" in #{escape(name)}" if name else ""
        link = prefill.source.permalink if safe_link(prefill.source.permalink) else None
        blocks.append(
            context(
                f"Filed from <{link}|a message{where}>" if link else f"Filed from a message{where}"
            )
        )
    title = _input(
        Field.TITLE,
        "Title",
        _text_input(TITLE_MAX, initial=prefill.title, placeholder="What is broken, in a few words"),
        optional=False,
    )
    description = _input(
        Field.DESCRIPTION,
        "Description",
        _text_input(
            TEXT_MAX,
            initial=prefill.description,
            multiline=True,
            placeholder="What happened, what you expected, steps to reproduce",
        ),
    )
    before, after = _fixed_blocks()
    blocks += [title, *before, description, *after]
    return {
        "type": "modal",
        "callback_id": Callback.REPORT_MODAL.value,
        "title": plain("Report an issue", 24),
        "submit": plain("File issue", 24),
        "close": plain("Cancel", 24),
        "private_metadata": encode_metadata(prefill.source),
        "blocks": blocks,
    }


@cache
def _fixed_blocks() -> tuple[tuple[dict[str, Any], ...], tuple[dict[str, Any], ...]]:
    """The inputs that never change, built once: the modal is opened on every
    /incident, inside Slack's 3-second trigger window (see bench/ack_latency.py)."""
    before = (
        _input(
            Field.TYPE,
            "Type",
            _select([_option(t.value, label(t.value)) for t in IssueType], "Choose a type"),
            optional=False,
        ),
        _input(
            Field.SEVERITY,
            "Severity (how bad is it for users?)",
            _select(
                [_option(s.value, label(s.value), SEVERITY_HINTS[s]) for s in Severity],
                "Choose a severity",
            ),
            optional=False,
        ),
        _input(
            Field.PRIORITY,
            "Engineering priority",
            _select([_option(p.value, label(p.value)) for p in Priority], "Set by engineering"),
            hint="Engineering's call on urgency; leave empty if unsure.",
        ),
        _input(Field.SERVICE, "Service", _text_input(SERVICE_MAX, placeholder="e.g. checkout-api")),
        _input(
            Field.ENVIRONMENT,
            "Environment",
            _text_input(
                TEXT_MAX, multiline=True, placeholder="Version, OS/browser, region, device…"
            ),
        ),
    )
    after = (
        _input(Field.STACK_TRACE, "Stack trace or logs", _text_input(TEXT_MAX, multiline=True)),
        _input(
            Field.TRACE_ID,
            "Trace or correlation ID",
            _text_input(TRACE_ID_MAX, placeholder="e.g. 4bf92f3577b34da6a3ce929d0e0e4736"),
        ),
        _input(
            Field.USERS_AFFECTED,
            "Users affected",
            _text_input(20, placeholder="A whole number, e.g. 120"),
        ),
        _input(
            Field.PRIVATE,
            "Visibility",
            {
                "type": "checkboxes",
                "options": [
                    _option(Field.PRIVATE.value, "Private: only invited people see the channel")
                ],
            },
        ),
    )
    return before, after
