"""`/incident`: parse the text, then hand it to the domain's command in the table."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.membership import require_can_see
from bot.core.people import Actor
from bot.handlers.command_parser import Command, parse_command
from bot.handlers.help import help_text
from bot.handlers.listener import Later, Reply
from bot.incidents.queries import resolve_issue
from bot.runtime import Runtime


@dataclass(frozen=True)
class CommandRequest:
    """One parsed `/incident` command and what its handler may need."""

    runtime: Runtime
    client: AsyncWebClient
    body: dict[str, Any]
    command: Command
    later: Later

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    async def issue(self) -> Any:
        """The issue the command is about (INC-n, else this channel's), if the user may see it."""
        issue = resolve_issue(
            self.runtime.db,
            self.command.issue_number,
            self.body.get("channel_id"),
            self.command.name,
        )
        require_can_see(self.runtime.db, issue, self.user_id)
        return issue

    async def actor(self) -> Actor:
        return await self.runtime.people.actor(self.client, self.user_id)


CommandHandler = Callable[[CommandRequest], Awaitable[Reply]]


def dispatcher(
    table: dict[str, CommandHandler],
) -> Callable[..., Awaitable[Reply]]:
    """The `/incident` listener over every domain's commands."""

    async def incident_command(
        runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later
    ) -> Reply:
        command = parse_command(body.get("text", ""))
        if command.name == "help":
            return help_text(command.problem)
        return await table[command.name](CommandRequest(runtime, client, body, command, later))

    return incident_command
