"""The context a log line is about (request, issue, Slack user and channel, outbox item,
webhook source, the error id of a failure), bound once in a contextvar where it becomes
known and added to every record by a logging filter, never passed by hand.

Each aiohttp request and each outbox delivery runs in its own task, so what one binds
stays with it (and with the work it spawns), never with its neighbours.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

FIELDS = (
    "request_id",
    "issue",
    "trace_id",
    "slack_user",
    "slack_channel",
    "outbox_kind",
    "outbox_attempt",
    "webhook_source",
    "error_id",
)
_CONTEXT: ContextVar[dict[str, str] | None] = ContextVar("firebell_log_context", default=None)


def bind(**fields: object) -> None:
    """Add to the context of the running task (and what it spawns from now on)."""
    current = dict(_CONTEXT.get() or {})
    current.update({k: str(v) for k, v in fields.items() if v is not None and k in FIELDS})
    _CONTEXT.set(current)


@contextmanager
def bound(**fields: object) -> Iterator[None]:
    """The same, undone at the end of the block (for a loop over items)."""
    token = _CONTEXT.set(dict(_CONTEXT.get() or {}))
    bind(**fields)
    try:
        yield
    finally:
        _CONTEXT.reset(token)


def current() -> dict[str, str]:
    return dict(_CONTEXT.get() or {})


class ContextFilter(logging.Filter):
    """Puts the bound context on each record (as attributes the formatter reads)."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in current().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True
