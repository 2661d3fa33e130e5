"""The integrations' outbox kinds: what is owed to an outside tool, as facts; each step
renders its words when it delivers (bot/integrations/zendesk_delivery.py)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot.core.delivery import Payload


class IntegrationKind(StrEnum):
    ZENDESK_COMMENT = "zendesk_comment"


@dataclass(frozen=True)
class ZendeskComment(Payload):
    """A comment on one Zendesk ticket tied to the issue: the `number`th Firebell wrote
    on it, about `about` (opened, joined, status, merged), the status moving
    `before` → `after`."""

    kind: ClassVar = IntegrationKind.ZENDESK_COMMENT
    ticket_id: int
    number: int
    about: str
    before: str
    after: str


def ticket_stream(ticket_id: int) -> str:
    """One stream per ticket: its comments go in order, and a Zendesk outage holds back
    only Zendesk's work, never the issue's Slack messages."""
    return f"zendesk:{ticket_id}"
