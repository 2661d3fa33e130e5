"""Slack listeners: ack, parse, call a service, render. One module per surface."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.handlers import (
    actions,
    commands,
    events,
    lifecycle_modals,
    report_modal,
    reviews,
    shortcuts,
)


def register_all(app: AsyncApp) -> None:
    for module in (commands, shortcuts, report_modal, actions, lifecycle_modals, events, reviews):
        module.register(app)
