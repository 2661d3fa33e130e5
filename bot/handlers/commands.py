"""`/incident`: every command is declared once, by its slice's handler module, as a
`Command` (name, aliases, usage, help line, typed parser, the function it calls).

The table collects the declarations at start-up and refuses a name declared twice
or a declaration without its parser or handler; it parses the text, answers an
unknown word with the closest commands, and runs the one that matched. Usage lines
and the help list come from the declarations, never from a second list.
"""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.blocks import escape
from bot.core.errors import FirebellError
from bot.core.ids import SLASH_COMMAND, IssueKey
from bot.core.membership import require_can_see
from bot.core.people import Actor
from bot.handlers.command_parser import BadArguments
from bot.handlers.listener import Later, Reply
from bot.incidents.queries import resolve_issue
from bot.serving.runtime import Runtime

A = TypeVar("A")

# What `/incident` alone does, and what `/incident INC-7` alone does.
WHEN_EMPTY = "new"
WHEN_ONLY_A_KEY = "show"
HELP = "help"


@dataclass(frozen=True)
class CommandRequest:
    """One `/incident` command being run, and what its handler may need."""

    runtime: Runtime
    client: AsyncWebClient
    body: dict[str, Any]
    name: str  # the command's declared name (an alias is read as the name)
    later: Later
    commands: CommandTable

    @property
    def user_id(self) -> str:
        return str(self.body["user_id"])

    async def issue(self, key: IssueKey | None) -> Any:
        """The issue the command is about (INC-n, else this channel's), if the user may see it."""
        number = key.number if key is not None else None
        return await self.runtime.db.run(self._visible_issue, number)

    def _visible_issue(self, number: int | None) -> Any:
        issue = resolve_issue(self.runtime.db, number, self.body.get("channel_id"), self.name)
        require_can_see(self.runtime.db, issue, self.user_id)
        return issue

    async def actor(self) -> Actor:
        return await self.runtime.people.actor(self.client, self.user_id)


@dataclass(frozen=True)
class Command(Generic[A]):
    """One `/incident` command: the only place its words, usage and help are written."""

    name: str
    usage: str  # what follows the name, e.g. "[INC-n] @person"; "" when it takes nothing
    help: str  # one line for `/incident help`
    parse: Callable[[str], A]  # the text after the name -> the typed arguments
    run: Callable[[CommandRequest, A], Awaitable[Reply]]
    aliases: tuple[str, ...] = ()

    @property
    def usage_line(self) -> str:
        return "`" + " ".join(filter(None, (SLASH_COMMAND, self.name, self.usage))) + "`"

    def read(self, rest: str) -> Parsed[A]:
        try:
            return Parsed(self, self.parse(rest))
        except BadArguments as bad:
            example = f", e.g. `{SLASH_COMMAND} {self.name} {bad.example}`" if bad.example else ""
            told = f"{escape(bad.problem)} " if bad.problem else ""  # it quotes what was typed
            raise FirebellError(f"{told}Usage: {self.usage_line}{example}") from None


@dataclass(frozen=True)
class Parsed(Generic[A]):
    """A command and its arguments, typed alike, so the handler gets what it declared."""

    command: Command[A]
    args: A

    async def run(self, req: CommandRequest) -> Reply:
        return await self.command.run(req, self.args)


class CommandTable:
    """Every declared command, in the order the slices declare them (the help's order)."""

    def __init__(self, declared: Iterable[Command[Any]]) -> None:
        self.commands = list(declared)
        self.by_word: dict[str, Command[Any]] = {}
        for command in self.commands:
            _check(command)
            for word in (command.name, *command.aliases):
                if word in self.by_word:
                    raise ValueError(f"{SLASH_COMMAND} {word} is declared twice")
                self.by_word[word] = command
        missing = {WHEN_EMPTY, WHEN_ONLY_A_KEY, HELP} - set(self.by_word)
        if missing:
            raise ValueError(f"{SLASH_COMMAND} commands without a declaration: {sorted(missing)}")

    @property
    def names(self) -> list[str]:
        return [command.name for command in self.commands]

    def parse(self, text: str) -> Parsed[Any]:
        """The command the text names and its arguments; FirebellError says what would work."""
        text = text.strip()
        if not text:
            return self.by_word[WHEN_EMPTY].read("")
        word = text.split()[0]
        rest = text[len(word) :].strip()
        if IssueKey.looks_like(word):  # `/incident INC-7` alone asks to see it
            return self.by_word[WHEN_ONLY_A_KEY].read(text)
        command = self.by_word.get(word.lower())
        if command is None:
            raise FirebellError(self.unknown(word))
        return command.read(rest)

    def unknown(self, word: str) -> str:
        """The answer to a word no command has: the closest commands and their usage
        ("I don't know `/incident lst`. Did you mean `list`?"), not the whole help."""
        shown = escape(word if len(word) <= 40 else word[:40] + "…")  # typed text: no pings
        said = f"I don't know `{SLASH_COMMAND} {shown}`."
        close = difflib.get_close_matches(word.lower(), list(self.by_word), n=3, cutoff=0.6)
        if not close:
            return f"{said} `{SLASH_COMMAND} {HELP}` lists every command."
        names = " or ".join(f"`{name}`" for name in close)
        lines = [f"{said} Did you mean {names}?"]
        lines += [f"• {self.by_word[name].usage_line}" for name in close]
        return "\n".join(lines)


def _check(command: Any) -> None:
    """A declaration the table can run, or a start-up error naming what it lacks."""
    if not isinstance(command, Command):
        raise ValueError(f"{command!r} is not a {SLASH_COMMAND} Command declaration")
    label = f"{SLASH_COMMAND} {command.name}"
    if not command.name or command.name != command.name.lower() or " " in command.name:
        raise ValueError(f"{label}: a command's name is one lower-case word")
    if not command.help.strip():
        raise ValueError(f"{label} has no help line")
    if not callable(command.parse):
        raise ValueError(f"{label} has no argument parser")
    if not callable(command.run):
        raise ValueError(f"{label} has no handler")


def dispatcher(table: CommandTable) -> Callable[..., Awaitable[Reply]]:
    """The `/incident` listener over every slice's commands."""

    async def incident_command(
        runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later
    ) -> Reply:
        parsed = table.parse(body.get("text", ""))
        req = CommandRequest(runtime, client, body, parsed.command.name, later, table)
        return await parsed.run(req)

    return incident_command
