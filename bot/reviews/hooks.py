"""What the reviews slice does when an issue changes (see incidents/hooks.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.clock import Clock
from bot.incidents.hooks import IssueHooks
from bot.reviews.kinds import OfferReview, send
from storage.models import Issue


class OfferReviewAtFixed(IssueHooks):
    """When an issue reaches Fixed, offer to draft its review."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        send(session, self.clock, issue, OfferReview())
