from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.domain import Priority, Severity, Status
from bot.core.errors import FirebellError
from bot.handlers.command_parser import Command, parse_command
from bot.handlers.help import help_text
from bot.playbooks.model import Role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Command("new")),
        ("  NEW   Login is slow ", Command("new", text="Login is slow")),
        ("help", Command("help")),
        ("assign <@U123|dana>", Command("assign", user_id="U123")),
        ("assign INC-7 <@U123>", Command("assign", 7, user_id="U123")),
        ("role comms <@U9>", Command("role", role=Role.COMMS, user_id="U9")),
        ("severity Critical", Command("severity", severity=Severity.CRITICAL)),
        ("priority inc-3 low", Command("priority", 3, priority=Priority.LOW)),
        ("status retest", Command("status", status=Status.RETEST)),
        ("update INC-2 Rolled back v1.2", Command("update", 2, text="Rolled back v1.2")),
        ("update Rollback INC-2 done", Command("update", text="Rollback INC-2 done")),
        ("close Fixed by v1.3", Command("close", text="Fixed by v1.3")),
        ("ack", Command("ack")),
        ("show INC-12", Command("show", 12)),
        ("list mine", Command("list", scope="mine")),
        ("list", Command("list", scope="open")),
        ("timeline", Command("timeline")),
    ],
)
def test_commands_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


def test_unknown_subcommand_becomes_help_with_the_problem() -> None:
    command = parse_command("dance now")
    assert command.name == "help" and command.problem == "I don't know `/incident dance`."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("new " + "a" * 200, "keep it to 150 or fewer. Example: `/incident new"),
        ("severity apocalyptic", "`apocalyptic` is not a severity: use trivial, minor, major"),
        ("severity", "Usage: `/incident severity <trivial|minor|major|critical|sev1-sev4|p1-p4>`"),
        ("assign dana", "Mention the person with @"),
        ("role boss <@U1>", "`boss` is not a role"),
        ("status new", "`reopen` moves it to Assigned"),
        ("list everything", "Usage: `/incident list [open|mine|all]`"),
        ("ack now please", "is not understood here. Usage: `/incident ack`"),
    ],
)
def test_mistakes_say_what_would_work(text: str, message: str) -> None:
    with pytest.raises(FirebellError) as caught:
        parse_command(text)
    assert message in caught.value.message


def test_help_lists_every_command_and_the_shortcut() -> None:
    text = help_text("I don't know `/incident dance`.")
    assert text.startswith("I don't know")
    assert "`/incident` – open the Report an issue form" in text
    for fragment in (
        "`/incident assign @person`",
        "`/incident timeline [INC-n]`",
        "*File an issue*",
        ":pushpin:",
    ):
        assert fragment in text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INC-1", Command("show", 1)),
        ("  inc-42 ", Command("show", 42)),
        ("ack INC-2147483647", Command("ack", 2147483647)),
        ("show INC-007", Command("show", 7)),
        ("update INC-3  Rolled  back", Command("update", 3, text="Rolled  back")),
    ],
)
def test_issue_keys_of_any_length_parse(text: str, expected: Command) -> None:
    assert parse_command(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ack INC-99999999999", "There is no INC-99999999999."),
        ("ack INC-2147483648", "There is no INC-2147483648."),
        ("show inc-" + "9" * 5000, "There is no INC-999"),
        ("update INC-99999999999 Rolled back", "There is no INC-99999999999."),
        ("INC-99999999999", "There is no INC-99999999999."),
        ("override primary <@U1> 99999999999w", "is too long; at most 31 days. Usage:"),
        ("override primary <@U1> 32d", "'32d' is too long; at most 31 days"),
        ("override primary <@U1> " + "9" * 5000 + "m", "is too long"),
        ("override primary <@U1> ²h", "is not a duration"),
        ("INC-1 now", "`now` is not understood here. Usage: `/incident show [INC-n]`"),
    ],
)
def test_huge_numbers_get_an_answer_not_an_overflow(text: str, message: str) -> None:
    with pytest.raises(FirebellError) as caught:
        parse_command(text)
    assert message in caught.value.message


def test_an_override_of_up_to_31_days_parses() -> None:
    command = parse_command("override Primary <@U1> 4w3d")
    assert command == Command(
        "override", schedule="primary", user_id="U1", duration=timedelta(days=31)
    )
