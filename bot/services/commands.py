"""Parse `/incident` text into a command, with errors that say what would work."""

from __future__ import annotations

from dataclasses import dataclass

from bot.errors import FirebellError
from bot.ids import SLASH_COMMAND
from bot.services.report_form import TITLE_MAX


@dataclass(frozen=True)
class NewIssue:
    title: str = ""


@dataclass(frozen=True)
class ShowHelp:
    problem: str | None = None


Command = NewIssue | ShowHelp


def parse_command(text: str) -> Command:
    words = text.strip().split(maxsplit=1)
    if not words:
        return NewIssue()
    name, rest = words[0].lower(), (words[1].strip() if len(words) > 1 else "")
    if name == "new":
        if len(rest) > TITLE_MAX:
            raise FirebellError(
                f"That title is {len(rest)} characters; keep it to {TITLE_MAX} or fewer. "
                f"Example: `{SLASH_COMMAND} new Checkout fails for EU users`"
            )
        return NewIssue(title=rest)
    if name == "help":
        return ShowHelp()
    return ShowHelp(problem=f"I don't know `{SLASH_COMMAND} {words[0]}`.")
