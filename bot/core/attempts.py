"""The outbox item a delivery step is working on, as the Slack helpers need to know it."""

from __future__ import annotations

import dataclasses
from contextvars import ContextVar
from datetime import datetime


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The outbox item a step is delivering: its key (carried in Slack message metadata)
    and whether an earlier attempt may already have reached Slack."""

    key: str
    retry: bool  # an earlier attempt timed out, failed, or died with its process
    since: datetime  # nothing of this item's is older than this


# Set around each step, so the Slack helpers tag and look up without threading the item.
CURRENT_ATTEMPT: ContextVar[Attempt | None] = ContextVar("firebell_attempt", default=None)
