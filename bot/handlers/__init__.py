"""Slack listeners, one thin module per domain, all registered here through the one
error path in listener.py: ack, parse, call a slice's service, render."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from types import ModuleType

from slack_bolt.async_app import AsyncApp

from bot.core.ids import SLASH_COMMAND
from bot.handlers import (
    capture,
    checklists,
    events,
    help,
    home,
    incidents,
    insights,
    integrations,
    reviews,
    sla,
    triage,
)
from bot.handlers.button_checks import visibility_check
from bot.handlers.commands import CommandTable, dispatcher
from bot.handlers.listener import Reply, Surface, listener

# In this order: the help lists each module's commands in the order it declares them.
DOMAINS = (capture, incidents, checklists, sla, reviews, insights, triage, integrations, help)


def command_table(domains: Sequence[ModuleType] = DOMAINS) -> CommandTable:
    """Every `/incident` command the slices declare; a name declared twice, or a
    declaration without its parser or handler, stops start-up here."""
    return CommandTable(
        command for module in domains for command in getattr(module, "COMMANDS", ())
    )


def register_all(app: AsyncApp, domains: Sequence[ModuleType] = DOMAINS) -> None:
    commands = command_table(domains)
    app.command(SLASH_COMMAND)(listener(dispatcher(commands), Surface.COMMAND))
    for callback, fn in capture.SHORTCUTS.items():
        app.shortcut(callback.value)(listener(fn, Surface.SHORTCUT))
    for module in domains:
        for action, button in getattr(module, "BUTTONS", {}).items():
            check = visibility_check(action)  # as every command does: may they see it?
            app.action(action.value)(listener(button, Surface.ACTION, check=check))
        for callback, (submit, field) in getattr(module, "MODALS", {}).items():
            app.view(callback.value)(listener(submit, Surface.VIEW, error_field=field))
    on_events: dict[str, Callable[..., Awaitable[Reply]]] = {
        **events.listeners(commands),
        **home.EVENTS,
    }
    for event, on_event in on_events.items():
        app.event(event)(listener(on_event, Surface.EVENT))
