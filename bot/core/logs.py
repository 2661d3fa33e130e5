"""Logging for `firebell`: text (default) or one JSON object a line (LOG_FORMAT=json),
with the bound context (bot/core/log_context.py) on every line, for Firebell's own
loggers and for Bolt's, aiohttp's and everything else that logs through the root.
Messages pass through the same redaction as review prompts: no token in a log."""

from __future__ import annotations

import logging
import sys
from typing import Any

from pythonjsonlogger.json import JsonFormatter

from bot.core.log_context import FIELDS, ContextFilter
from bot.core.redact import redact

FORMATS = ("text", "json")


class RedactingJsonFormatter(JsonFormatter):
    def process_log_record(self, log_data: dict[str, Any]) -> dict[str, Any]:
        message = log_data.get("message")
        if isinstance(message, str):
            log_data["message"] = redact(message)
        if isinstance(log_data.get("exc_info"), str):
            log_data["exc_info"] = redact(log_data["exc_info"])
        return log_data


class RedactingTextFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        context = " ".join(f"{k}={getattr(record, k)}" for k in FIELDS if hasattr(record, k))
        line = super().format(record)
        return redact(f"{line} [{context}]" if context else line)


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
