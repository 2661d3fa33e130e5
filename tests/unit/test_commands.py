from __future__ import annotations

import pytest

from bot.errors import FirebellError
from bot.services.commands import NewIssue, ShowHelp, parse_command
from bot.views.help import help_text


def test_commands_parse() -> None:
    assert parse_command("") == NewIssue()
    assert parse_command("  NEW   Login is slow ") == NewIssue("Login is slow")
    assert parse_command("help") == ShowHelp()
    assert parse_command("dance") == ShowHelp("I don't know `/incident dance`.")


def test_overlong_title_is_refused_with_an_example() -> None:
    with pytest.raises(FirebellError, match=r"keep it to 150 or fewer\. Example: `/incident new"):
        parse_command("new " + "a" * 200)


def test_help_lists_commands_and_the_shortcut() -> None:
    text = help_text("I don't know `/incident dance`.")
    assert text.startswith("I don't know")
    assert "`/incident` – open the Report an issue form" in text
    assert "*File an issue*" in text
