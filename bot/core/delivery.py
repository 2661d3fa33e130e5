"""The outbox contract: each kind of side effect, its typed payload and its step.

Every slice declares its kinds as an enum and one payload dataclass per kind
(`kind` says which), and hands `create_app` a table of payload type → delivery
step. The table refuses a kind registered twice and a declared kind left
without a step, so both stop start-up. Payloads carry facts, never rendered
text: each step renders its message when it delivers, from the issue as it is
then.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from slack_sdk.errors import SlackApiError
from sqlmodel import Session

from bot.core.attempts import CURRENT_ATTEMPT, Attempt
from bot.core.clock import Clock
from bot.core.log_context import bound
from bot.core.outbox import DeliveryError
from bot.core.outbox import enqueue as enqueue_row
from bot.core.slack_steps import as_delivery_error
from storage.db import Database
from storage.models import Issue, OutboxItem, TimelineEvent

log = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class Payload:
    """Base of every payload: a frozen dataclass of JSON values, tagged with its kind."""

    kind: ClassVar[StrEnum]

    def as_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Payload:
        try:
            return cls(**data)
        except TypeError as exc:
            raise DeliveryError(
                f"{cls.__name__} payload does not fit: {exc}", permanent=True
            ) from None


# A step gets the issue, read fresh at delivery (None for items about no issue).
Step = Callable[[Any, Any], Awaitable[None]]


class KindError(Exception):
    """A kind registered twice, or declared without a step: a wiring bug, found at start-up."""


def saved_id(session: Session, event: TimelineEvent) -> int:
    """A new timeline event's id, for a notice that announces it when delivered."""
    session.flush()
    assert event.id is not None
    return event.id


def issue_stream(issue_id: int) -> str:
    return f"issue:{issue_id}"


def enqueue(
    session: Session,
    clock: Clock,
    payload: Payload,
    *,
    issue: Issue | None = None,
    stream: str | None = None,
    due: datetime | None = None,
) -> OutboxItem:
    """Add one side effect to the caller's transaction; by default on the issue's stream."""
    issue_id = issue.id if issue is not None else None
    if stream is None:
        assert issue_id is not None, "an item about no issue names its stream"
        stream = issue_stream(issue_id)
    item = enqueue_row(
        session,
        clock,
        stream=stream,
        kind=payload.kind.value,
        issue_id=issue_id,
        payload=payload.as_json(),
    )
    if due is not None:
        item.next_attempt_at = due
    return item


class DeliveryTable:
    """Routes each outbox item to its step, with its payload read back into its type."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self._routes: dict[str, tuple[type[Payload], Step]] = {}

    def register(self, table: dict[type[Payload], Step]) -> None:
        for payload_type, step in table.items():
            kind = payload_type.kind.value
            if kind in self._routes:
                raise KindError(f"outbox kind {kind!r} is registered twice")
            self._routes[kind] = (payload_type, step)

    def require(self, kinds: Iterable[type[StrEnum]]) -> None:
        """Every declared kind has a step."""
        missing = [k.value for enum in kinds for k in enum if k.value not in self._routes]
        if missing:
            raise KindError(f"outbox kinds without a delivery step: {', '.join(missing)}")

    async def __call__(self, item: OutboxItem) -> None:
        route = self._routes.get(item.kind)
        if route is None:
            raise DeliveryError(f"unknown outbox kind {item.kind}", permanent=True)
        payload_type, step = route
        payload = payload_type.from_json(item.payload)
        issue = None
        if item.issue_id is not None:
            issue = await self.db.run(self._issue, item.issue_id)
        # attempts counts claims, this one included: more than one means an earlier try.
        attempt = Attempt(f"outbox-{item.id}", item.attempts > 1, item.created_at)
        token = CURRENT_ATTEMPT.set(attempt)
        context = bound(
            issue=issue.key if issue is not None else None,
            trace_id=issue.trace_id if issue is not None else None,
            outbox_kind=item.kind,
            outbox_attempt=item.attempts,
        )
        try:
            with context:
                await step(issue, payload)
                log.info("delivered outbox item %s (%s)", item.id, item.kind)
        except SlackApiError as exc:
            raise as_delivery_error(exc) from exc
        finally:
            CURRENT_ATTEMPT.reset(token)

    def _issue(self, issue_id: int) -> Issue | None:
        with self.db.session() as session:
            return session.get(Issue, issue_id)
