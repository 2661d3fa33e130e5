"""Logging for `firebell`: text (default) or one JSON object a line (LOG_FORMAT=json),
with the bound context (bot/core/log_context.py) on every line, for Firebell's own
loggers and for Bolt's, aiohttp's and everything else that logs through the root.

Every field of every record (the message, the context, an access line's `path`, a
traceback) passes through `Scrubber`: the configured secrets are masked by value, then
the same redaction as review prompts masks secrets by name and shape. A line is one line:
the text format writes control characters in a message or a context value as escapes (an
alert's trace id cannot forge a line), and the JSON format's encoder escapes every
character outside ASCII.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import quote, quote_plus

from pydantic import BaseModel, SecretStr
from pythonjsonlogger.json import JsonFormatter

from bot.core.log_context import FIELDS, ContextFilter
from bot.core.redact import MARK, redact

FORMATS = ("text", "json")
# The JSON fields the formatter writes itself (the time, the level, the logger's name).
WRITTEN_BY_US = frozenset({"time", "level", "logger"})
# Shorter values are not masked by value: a few characters would blank ordinary words.
# Every configured secret is longer (tokens have 16 characters at least).
SHORTEST_MASKED = 8
# Control characters (C0, DEL, C1 with NEL), line and paragraph separators, and the bidi
# overrides that make a line read as another ("Trojan Source").
UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` on one line: `\\n`, `\\x1b`, `\\u2028` written out instead of acting."""
    return UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def secret_values(*sources: object) -> set[str]:
    """Every `SecretStr` in the settings and config given, however deep (API tokens,
    webhook tokens, the /metrics token, Slack's tokens and signing secret, model keys)."""
    found: set[str] = set()
    pending: list[object] = list(sources)
    while pending:
        value = pending.pop()
        if isinstance(value, SecretStr):
            found.add(value.get_secret_value())
        elif isinstance(value, BaseModel):
            pending.extend(getattr(value, name) for name in type(value).model_fields)
        elif isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list | tuple | set | frozenset):
            pending.extend(value)
    return found


@lru_cache(maxsize=4096)
def _redacted(text: str) -> str:
    # Context values repeat on every line about the same request or issue.
    return redact(text)


class Scrubber:
    """What every logged string goes through."""

    def __init__(self) -> None:
        self.secrets: tuple[str, ...] = ()

    def mask(self, values: Iterable[str]) -> None:
        """Mask these values wherever they appear, as written and as a URL writes them."""
        forms = {
            form
            for value in values
            if len(value) >= SHORTEST_MASKED
            for form in (value, quote(value, safe=""), quote_plus(value, safe=""))
        }
        self.secrets = tuple(sorted(forms, key=len, reverse=True))  # a longer one first

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            if secret in text:
                text = text.replace(secret, MARK)
        return _redacted(text) if len(text) <= 256 else redact(text)


class RedactingJsonFormatter(JsonFormatter):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # ASCII only (the library's default, pinned): no raw control character, NEL or
        # line separator reaches a line-based collector.
        super().__init__(*args, json_ensure_ascii=True, **kwargs)
        self.scrub = Scrubber()

    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        return {
            key: value if key in WRITTEN_BY_US else self._clean(value)
            for key, value in log_data.items()
        }

    def _clean(self, value: Any) -> Any:
        if isinstance(value, str):
            return self.scrub(value)
        if isinstance(value, dict):
            return {key: self._clean(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._clean(item) for item in value]
        return value


class RedactingTextFormatter(logging.Formatter):
    def __init__(self, fmt: str) -> None:
        super().__init__(fmt)
        self.scrub = Scrubber()

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers (and the record's own exc_text cache) see it as it was.
        safe = logging.makeLogRecord(record.__dict__)
        safe.msg, safe.args = printable(self.scrub(record.getMessage())), None
        safe.exc_text = None
        context = " ".join(
            f"{key}={printable(self.scrub(str(getattr(record, key))))}"
            for key in FIELDS
            if hasattr(record, key)
        )
        line = super().format(safe)
        return f"{line} [{context}]" if context else line

    def formatException(self, ei: Any) -> str:
        # A traceback keeps its lines; what it quotes is scrubbed like a message.
        return self.scrub(super().formatException(ei))


def mask_in_logs(values: Iterable[str]) -> None:
    """Mask the configured secrets (`secret_values`, pager keys) from now on, in every
    field, by value: what redaction's names and shapes would miss (`?auth=<token>`)."""
    secrets = list(values)
    for handler in logging.getLogger().handlers:
        if isinstance(handler.formatter, RedactingJsonFormatter | RedactingTextFormatter):
            handler.formatter.scrub.mask(secrets)


def configure_logging(level: str, fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be text or json, not {fmt!r}")
    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ContextFilter())
    if fmt == "json":
        handler.setFormatter(
            RedactingJsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
                datefmt="%Y-%m-%dT%H:%M:%S%z",
            )
        )
    else:
        handler.setFormatter(
            RedactingTextFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
        )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
