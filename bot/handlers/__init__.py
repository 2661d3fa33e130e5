"""Slack listeners, one thin module per domain, all registered here through the one
error path in listener.py: ack, parse, call a slice's service, render."""

from __future__ import annotations

from slack_bolt.async_app import AsyncApp

from bot.core.ids import SLASH_COMMAND
from bot.handlers import (
    capture,
    checklists,
    events,
    home,
    incidents,
    insights,
    reviews,
    sla,
    triage,
)
from bot.handlers.command_parser import USAGE
from bot.handlers.commands import CommandHandler, dispatcher
from bot.handlers.listener import Surface, listener

DOMAINS = (capture, incidents, checklists, sla, reviews, insights, triage)


def register_all(app: AsyncApp) -> None:
    commands: dict[str, CommandHandler] = {}
    for module in DOMAINS:
        for name, fn in getattr(module, "COMMANDS", {}).items():
            if name in commands:
                raise ValueError(f"/incident {name} has two handlers")
            commands[name] = fn
    missing = set(USAGE) - set(commands) - {"help"}
    if missing:
        raise ValueError(f"/incident commands without a handler: {sorted(missing)}")
    app.command(SLASH_COMMAND)(listener(dispatcher(commands), Surface.COMMAND))
    for callback, fn in capture.SHORTCUTS.items():
        app.shortcut(callback.value)(listener(fn, Surface.SHORTCUT))
    for module in DOMAINS:
        for action, button in getattr(module, "BUTTONS", {}).items():
            app.action(action.value)(listener(button, Surface.ACTION))
        for callback, (submit, field) in getattr(module, "MODALS", {}).items():
            app.view(callback.value)(listener(submit, Surface.VIEW, error_field=field))
    for module in (events, home):
        for name, fn in module.EVENTS.items():
            app.event(name)(listener(fn, Surface.EVENT))
