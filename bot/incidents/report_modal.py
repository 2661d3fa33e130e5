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
from bot.incidents.file_rules import FileLimits
from bot.incidents.report_files import MAX_FILES, STORED_NAME_MAX, SlackFile, slack_files
from bot.incidents.report_form import SERVICE_MAX, TEXT_MAX, TITLE_MAX, TRACE_ID_MAX

MAX_PRIVATE_METADATA = 3000  # Slack's limit for a view's private_metadata

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
    # The files of the source message, carried into the issue (those that fit).
    files: tuple[SlackFile, ...] = ()


def encode_metadata(source: Source | None, files: tuple[SlackFile, ...] = ()) -> str:
    """private_metadata carries the source message and its files through the modal
    (≤ 3000 characters: a permalink that does not fit is left out, then names shortened)."""
    if source is None:
        return "{}"
    link = source.permalink if source.permalink and len(source.permalink) < 1000 else None
    encoded = ""
    for keep_link, name_max in ((True, STORED_NAME_MAX), (False, STORED_NAME_MAX), (False, 24)):
        data: dict[str, Any] = {"source": {"channel": source.channel_id, "ts": source.message_ts}}
        if link and keep_link:
            data["source"]["permalink"] = link
        if files:
            data["files"] = [f.stored(name_max) for f in files[:MAX_FILES]]
        encoded = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
        if len(encoded) <= MAX_PRIVATE_METADATA:
            break
    return encoded


def decode_files(raw: str | None) -> tuple[SlackFile, ...]:
    """The source message's files the modal carried (none from garbage)."""
    try:
        data = json.loads(raw or "{}")
    except ValueError:
        return ()
    return slack_files(data.get("files")) if isinstance(data, dict) else ()


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


def report_modal(prefill: ReportPrefill, limits: FileLimits | None = None) -> dict[str, Any]:
    """The modal, prefilled; with `limits`, a file input for screenshots and logs. The
    result shares its fixed blocks: treat it as read-only."""
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
    files: list[dict[str, Any]] = []
    if limits is not None:
        files.append(_file_block(limits))
        if prefill.files:
            files.append(context(carried_words(prefill.files, limits)))
    blocks += [title, *before, description, after[0], *files, *after[1:]]
    return {
        "type": "modal",
        "callback_id": Callback.REPORT_MODAL.value,
        "title": plain("Report an issue", 24),
        "submit": plain("File issue", 24),
        "close": plain("Cancel", 24),
        "private_metadata": encode_metadata(prefill.source, prefill.files),
        "blocks": blocks,
    }


def carried_words(files: tuple[SlackFile, ...], limits: FileLimits) -> str:
    """What will happen to the message's files, said before the reporter files."""
    checked = [f.checked(limits) for f in files[:MAX_FILES]]
    kept = [escape(a.name) for a in checked if a.refused is None]
    lines = [f"The message's files come along: {', '.join(kept)}."] if kept else []
    lines += [
        f"Not attached: {escape(a.name)} ({escape(a.refused)})." for a in checked if a.refused
    ]
    if len(files) > MAX_FILES:
        lines.append(f"Only the first {MAX_FILES} of the message's files are looked at.")
    return "\n".join(lines)


@cache
def _file_block(limits: FileLimits) -> dict[str, Any]:
    element: dict[str, Any] = {"type": "file_input", "max_files": MAX_FILES}
    kinds = limits.extensions()
    if kinds:
        element["filetypes"] = list(kinds)
    return _input(
        Field.FILES,
        "Screenshots or logs",
        element,
        hint=f"Optional: {limits.what_works()}.",
    )


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
