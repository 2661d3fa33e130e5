"""The timeline: recording an event, the registry of event kinds, and their words.

Every change to an issue is one TimelineEvent (kind, actor, time, payload).
Views, reviews and announcements read events through here, never by parsing
the words back. Each slice declares its own kinds, with their words, as an
`EventKind` enum (e.g. incidents/event_kinds.py); `create_app` registers them
all, and start-up stops on a kind declared twice or declared and not registered.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import insert
from sqlmodel import Session

from bot.core.blocks import clip, escape
from bot.core.clock import Clock
from bot.core.domain import label
from bot.core.log_context import bind
from bot.core.reporters import is_person, tool_name, who
from storage.bulk import pg_insert_rows
from storage.models import Issue, TimelineEvent


class KindError(Exception):
    """A timeline kind without words, declared twice, or not registered: found at start-up."""


class EventKind(StrEnum):
    """Base of each slice's timeline kinds. A member is the string stored in
    `TimelineEvent.kind` (so stored rows never change), its words with payload fields
    in braces ("moved {before} → {after}", read after who did it), and whether its
    payload's `text` belongs to the issue's search document:

        class TriageEvent(EventKind):
            LINKED = "linked", "linked this issue to {key}"
            MERGED_FROM = "merged_from", "merged {key} into this issue", SEARCHED
    """

    words: str
    searched: bool

    def __new__(cls, value: str, words: str | None = None, searched: bool = False) -> EventKind:
        if not words:
            raise KindError(f"timeline kind {value!r} has no words")
        member = str.__new__(cls, value)
        member._value_ = value
        member.words = words
        member.searched = searched
        return member


SEARCHED = True  # reads better than a bare True in a kind's declaration


class EventKinds:
    """Every registered kind, by the string stored in its events."""

    def __init__(self) -> None:
        self._kinds: dict[str, EventKind] = {}

    def register(self, *enums: type[EventKind]) -> None:
        for enum in enums:
            for member in enum:
                known = self._kinds.setdefault(member.value, member)
                if known is not member:  # registering the same enum again is harmless
                    raise KindError(
                        f"timeline kind {member.value!r} is declared twice: in "
                        f"{_name(type(known))} and in {_name(enum)}"
                    )

    def require_all(self, package: str = "bot") -> None:
        """Every kind declared under `package` is registered: a kind recorded without
        its registration would read as its bare name."""
        missing = [
            _name(enum)
            for enum in _declared(EventKind)
            if enum.__module__.startswith(f"{package}.")
            and any(self._kinds.get(m.value) is not m for m in enum)
        ]
        if missing:
            raise KindError(f"timeline kinds declared but not registered: {', '.join(missing)}")

    def get(self, kind: str) -> EventKind | None:
        return self._kinds.get(kind)

    def searched(self) -> frozenset[str]:
        return frozenset(k for k, member in self._kinds.items() if member.searched)


def _declared(base: type[EventKind]) -> Iterator[type[EventKind]]:
    for enum in base.__subclasses__():
        yield enum
        yield from _declared(enum)


def _name(enum: type) -> str:
    return f"{enum.__module__}.{enum.__qualname__}"


# The app's kinds, filled by create_app (as the outbox's delivery table is).
KINDS = EventKinds()


def add_event(
    session: Session,
    issue: Issue,
    kind: EventKind,
    clock: Clock,
    actor_id: str | None = None,
    /,  # positional only, so payload keys may be named "clock" or "kind"
    *,
    dedup_key: str | None = None,
    at: datetime | None = None,
    **payload: object,
) -> TimelineEvent:
    """Record one timeline event; `dedup_key` makes a second identical record fail."""
    assert issue.id is not None
    if not isinstance(kind, EventKind):
        raise KindError(f"timeline kind {kind!r} is a bare string; use its slice's EventKind")
    event = TimelineEvent(
        issue_id=issue.id,
        at=at or clock.now(),
        actor_id=actor_id,
        kind=str(kind),
        payload={k: v for k, v in payload.items() if v is not None},
        dedup_key=dedup_key,
    )
    session.add(event)
    bind(issue=issue.key, trace_id=issue.trace_id)  # what this task logs next is about it
    if kind.searched:  # the issue's search document is rebuilt before commit
        session.info.setdefault(SEARCH_DIRTY, set()).add(issue.id)
    return event


SEARCH_DIRTY = "search_dirty"  # session.info: ids of issues whose document must be rebuilt


class EventRows:
    """Timeline events of many issues, written in one INSERT at the end of a batch (the
    SLA sweep's): `add` takes `add_event`'s arguments and keeps a plain row, with no
    model object built; `insert` writes them in the order added and puts each id in
    its row (`row["id"]`), for the notices that announce them."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(
        self,
        session: Session,
        issue: Issue,
        kind: EventKind,
        clock: Clock,
        actor_id: str | None = None,
        /,
        *,
        dedup_key: str | None = None,
        at: datetime | None = None,
        **payload: object,
    ) -> dict[str, Any]:
        assert issue.id is not None
        if not isinstance(kind, EventKind):
            raise KindError(f"timeline kind {kind!r} is a bare string; use its slice's EventKind")
        row = {
            "issue_id": issue.id,
            "at": at or clock.now(),
            "actor_id": actor_id,
            "kind": kind.value,
            "payload": {k: v for k, v in payload.items() if v is not None},
            "dedup_key": dedup_key,
        }
        self.rows.append(row)
        bind(issue=issue.key, trace_id=issue.trace_id)
        if kind.searched:
            session.info.setdefault(SEARCH_DIRTY, set()).add(issue.id)
        return row

    def insert(self, session: Session) -> None:
        rows, self.rows = self.rows, []
        if not rows:
            return
        table = TimelineEvent.__table__  # type: ignore[attr-defined]
        plain = [{k: v for k, v in r.items() if k != "id"} for r in rows]
        if session.get_bind().dialect.name == "postgresql":
            # ids are drawn in row order: sorted, they match the rows
            ids = sorted(pg_insert_rows(session, table, plain, returning="id"))
        else:
            stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
            ids = list(session.execute(stmt, plain).scalars())
        for row, event_id in zip(rows, ids, strict=True):
            row["id"] = event_id


# Payload values Firebell itself composed as Slack markup (mentions, channel links);
# every other value is what a person or a tool typed, and is escaped for mrkdwn.
MARKUP_KEYS = {"user_id", "channel_id", "targets", "from_author", "whom"}


def event_words(event: TimelineEvent, *, mrkdwn: bool = True) -> str:
    """What happened, without who did it: "moved Assigned → Revise". With `mrkdwn`,
    typed text is escaped so it reads as text in Slack and cannot mention or link."""
    payload: dict[str, Any] = dict(event.payload)
    for key in ("before", "after", "target"):
        if isinstance(payload.get(key), str):
            payload[key] = label(payload[key])
    # Fields that words may name, derived from what the payload holds.
    if isinstance(payload.get("source"), str):
        payload["tool"] = tool_name(payload["source"])
    if "author" in payload:
        author = payload.pop("author")
        payload["from_author"] = f" from <@{author}>" if is_person(author) else ""
    if mrkdwn:
        payload = {k: v if k in MARKUP_KEYS else _escaped(v) for k, v in payload.items()}
    payload["said"] = f": “{payload['note']}”" if payload.get("note") else ""
    # Someone outside Slack, named by the tool that told us ("PagerDuty acknowledged by …").
    payload["by_name"] = f" by {payload['by']}" if payload.get("by") else ""
    for key in ("steps", "targets", "versions"):
        if isinstance(payload.get(key), list):
            payload[key] = "; ".join(map(str, payload[key])) or "nobody"
    if "on" in payload:
        payload["state"] = "on" if payload["on"] else "off"
    known = KINDS.get(event.kind)
    # A kind no longer declared (an old row) reads as its name rather than failing.
    template = known.words if known is not None else event.kind.replace("_", " ")
    try:
        words = template.format_map(_Blank(payload))
    except (ValueError, IndexError):
        words = event.kind.replace("_", " ")
    if payload.get("answer"):
        words += f" – {payload['answer']}"
    return words


def _escaped(value: Any) -> Any:
    if isinstance(value, str):
        return escape(value)
    if isinstance(value, list):
        return [escape(v) if isinstance(v, str) else v for v in value]
    return value


def actor_name(event: TimelineEvent) -> str | None:
    """Who did it (a person's mention or a tool's name); None for Firebell's own events."""
    return who(event.actor_id) if event.actor_id else None


def describe_event(event: TimelineEvent) -> str:
    """One timeline line in Slack mrkdwn: who, then what, with mentions kept live."""
    actor = actor_name(event)
    text = clip(event_words(event), 600)
    return f"{actor} {text}" if actor else text


class _Blank(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "?"
