"""Slack listeners: ack, parse, call a service, render. One module per surface."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.handlers import commands, events, report_modal, shortcuts


def register_all(app: AsyncApp) -> None:
    for module in (commands, shortcuts, report_modal, events):
        module.register(app)
