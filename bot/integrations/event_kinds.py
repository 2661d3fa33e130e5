"""The integrations' timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import EventKind


class IntegrationEvent(EventKind):
    ZENDESK_OPENED = "zendesk_opened", "opened this issue from Zendesk ticket #{ticket}"
    ZENDESK_JOINED = (
        "zendesk_joined",
        "reported it again from Zendesk ticket #{ticket} ({occurrences} reports)",
    )
    ZENDESK_REFUSED = "zendesk_refused", "could not comment on Zendesk ticket #{ticket}: {reason}"
