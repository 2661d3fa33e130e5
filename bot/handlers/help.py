"""`/incident help`: the list of commands, generated from their declarations."""

from __future__ import annotations

from bot.core.ids import SLASH_COMMAND
from bot.handlers.command_parser import Nothing, nothing
from bot.handlers.commands import Command, CommandRequest, CommandTable
from bot.handlers.listener import Reply


def help_text(commands: CommandTable) -> str:
    lines = [
        "*Firebell commands* (in an issue's channel the issue is implied; elsewhere add `INC-n`)"
    ]
    lines.append(f"• `{SLASH_COMMAND}` – open the Report an issue form")
    for command in commands.commands:
        also = "".join(f" (or `{alias}`)" for alias in command.aliases)
        lines.append(f"• {command.usage_line}{also} – {command.help}")
    lines.append(
        "Or use the message shortcut *File an issue* on any message (⋯ menu). "
        "React with :pushpin: to add a message to the timeline."
    )
    return "\n".join(lines)


async def show_help(req: CommandRequest, args: Nothing) -> Reply:
    return help_text(req.commands)


COMMANDS = (Command("help", "", "this list", nothing, show_help),)
