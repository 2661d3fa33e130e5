"""Routes each outbox item to the step that delivers it."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError

from bot.core.outbox import DeliveryError
from bot.core.slack_steps import Step, as_delivery_error
from bot.incidents.filing import get_issue
from storage.db import Database
from storage.models import OutboxItem


class Delivery:
    def __init__(self, db: Database, steps: dict[str, Step]) -> None:
        self.db = db
        self.steps = steps

    async def __call__(self, item: OutboxItem) -> None:
        step = self.steps.get(item.kind)
        if step is None:
            raise DeliveryError(f"unknown outbox kind {item.kind}", permanent=True)
        # Items about an issue get it fresh; the digest is about none.
        issue = get_issue(self.db, item.issue_id) if item.issue_id is not None else None
        try:
            await step(issue, item.payload)
        except SlackApiError as exc:
            raise as_delivery_error(exc) from exc
