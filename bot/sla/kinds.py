"""The SLA slice's side effects: pages, notices in the issue channel, the digest."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, ClassVar

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import Payload, enqueue, saved_id
from storage.models import Issue, TimelineEvent


class SlaKind(StrEnum):
    PAGE = "page"
    NOTICE = "sla_notice"
    SETTLE_PAGE_DMS = "settle_page_dms"
    DIGEST = "post_digest"
    # A digest enqueued before the slices, rendered then; delivered as it is.
    OLD_DIGEST = "digest"
    PAGER_FOLLOW_UP = "pager_follow_up"


@dataclass(frozen=True)
class Page(Payload):
    """One escalation target's ping: a person, a user group, a channel or a pager."""

    kind: ClassVar = SlaKind.PAGE
    target: str  # a sla/targets.py TargetKind, never a schedule (resolved before)
    id: str
    escalation_id: int | None
    clock: str  # "manual" for /incident page
    step: int
    loop: int
    by: str | None = None  # who paged by hand, or asked for the next step now
    note: str | None = None  # what they said
    # Why it was sent, for the page's words (sla/views.py page_reason): "on_open" (opened
    # at a severity that pages at once), "forced" (`by` asked for the next step now) or
    # "sla" with how far the clock had run and its deadline. None: an older page.
    reason: str | None = None
    percent: int | None = None
    due: str | None = None


@dataclass(frozen=True)
class SettlePageDms(Payload):
    """Someone took the issue: every live page DM about it says who and when, and loses
    its buttons. Delivered after the pages enqueued before it (the issue's stream)."""

    kind: ClassVar = SlaKind.SETTLE_PAGE_DMS
    how: str  # acknowledged | fixed | closed
    by: str | None
    at: str


class PagerAction(StrEnum):
    """What a pager that was triggered hears next: the issue was taken, or is over."""

    ACKNOWLEDGE = "acknowledge"  # PagerDuty acknowledge, Opsgenie acknowledge
    RESOLVE = "resolve"  # PagerDuty resolve, Opsgenie close


@dataclass(frozen=True)
class PagerFollowUp(Payload):
    """Close the loop with a pager that paged about the issue, by its dedup key / alias."""

    kind: ClassVar = SlaKind.PAGER_FOLLOW_UP
    target: str  # pagerduty | opsgenie
    id: str  # the routing or API key the page was sent with (a secret, like Page's)
    action: str  # a PagerAction


@dataclass(frozen=True)
class Notice(Payload):
    """An SLA event (warning, breach, escalation, page ack, close) told in the channel."""

    kind: ClassVar = SlaKind.NOTICE
    event_id: int


@dataclass(frozen=True)
class DigestPost(Payload):
    """This week's digest, gathered and rendered when it is delivered."""

    kind: ClassVar = SlaKind.DIGEST
    channel: str


@dataclass(frozen=True)
class OldDigestPost(Payload):
    kind: ClassVar = SlaKind.OLD_DIGEST
    channel: str
    text: str
    blocks: list[dict[str, Any]]


def notice(
    session: Session,
    clock: Clock,
    issue: Issue,
    event: TimelineEvent | dict[str, Any],
    send: Callable[[Issue, Callable[[], Payload]], None] | None = None,
) -> None:
    """The notice of an event; flushes only when the event has no id yet. The engine's
    sweep passes its batch's `send` and the event's row, which has its id once the
    batch writes its rows: the notice is built then, in its place on the stream."""
    if isinstance(event, dict):
        assert send is not None, "an event row is noticed through its batch"
        row = event
        send(issue, lambda: Notice(row["id"]))
        return
    event_id = event.id if event.id is not None else saved_id(session, event)
    enqueue(session, clock, Notice(event_id), issue=issue)
