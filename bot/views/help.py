"""Help text for `/incident help` and for mistakes."""

from __future__ import annotations

from bot.ids import SLASH_COMMAND

COMMANDS = [
    ("", "open the Report an issue form"),
    ("new [title]", "open the form with the title filled in"),
    ("help", "show this list"),
]


def help_text(problem: str | None = None) -> str:
    lines = [problem, ""] if problem else []
    lines.append("*Firebell commands*")
    lines += [f"• `{f'{SLASH_COMMAND} {cmd}'.strip()}` – {what}" for cmd, what in COMMANDS]
    lines.append("Or use the message shortcut *File an issue* on any message (⋯ menu).")
    return "\n".join(lines)
