from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace
from typing import Any

import pytest
from slack_bolt.async_app import AsyncApp

from bot.core.domain import Priority, Severity, Status
from bot.core.errors import FirebellError
from bot.core.ids import IssueKey
from bot.handlers import DOMAINS, command_table, register_all
from bot.handlers.capture import NewIssue
from bot.handlers.command_parser import IssueText, Nothing, OnIssue, nothing
from bot.handlers.commands import Command
from bot.handlers.help import help_text
from bot.handlers.incidents import (
    Assign,
    ListScope,
    MoveStatus,
    SetPriority,
    SetRole,
    SetSeverity,
)
from bot.handlers.sla import OverrideArgs, PageArgs
from bot.handlers.triage import PairArgs
from bot.playbooks.model import Role

TABLE = command_table()


def parse(text: str) -> tuple[str, Any]:
    parsed = TABLE.parse(text)
    return parsed.command.name, parsed.args


K7, K3, K2, K12 = IssueKey(7), IssueKey(3), IssueKey(2), IssueKey(12)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ("new", NewIssue())),
        ("  NEW   Login is slow ", ("new", NewIssue("Login is slow"))),
        ("help", ("help", Nothing())),
        ("assign <@U123|dana>", ("assign", Assign(None, "U123"))),
        ("assign INC-7 <@U123>", ("assign", Assign(K7, "U123"))),
        ("role comms <@U9>", ("role", SetRole(None, Role.COMMS, "U9"))),
        ("severity Critical", ("severity", SetSeverity(None, Severity.CRITICAL))),
        ("priority inc-3 low", ("priority", SetPriority(K3, Priority.LOW))),
        ("status retest", ("status", MoveStatus(None, Status.RETEST))),
        ("update INC-2 Rolled back v1.2", ("update", IssueText(K2, "Rolled back v1.2"))),
        ("update Rollback INC-2 done", ("update", IssueText(None, "Rollback INC-2 done"))),
        ("close Fixed by v1.3", ("close", IssueText(None, "Fixed by v1.3"))),
        ("ack", ("ack", OnIssue())),
        ("acknowledge INC-7", ("ack", OnIssue(K7))),  # an alias is read as its command
        ("show INC-12", ("show", OnIssue(K12))),
        ("list mine", ("list", ListScope("mine"))),
        ("list", ("list", ListScope("open"))),
        ("timeline", ("timeline", OnIssue())),
        ("page INC-7 <@U1|dana> come help", ("page", PageArgs(K7, "user", "U1", "come help"))),
        ("page <!subteam^S9|db>", ("page", PageArgs(None, "usergroup", "S9", ""))),
        ("page schedule primary now", ("page", PageArgs(None, "schedule", "primary", "now"))),
        ("merge INC-2 into INC-7", ("merge", PairArgs(K2, K7))),
        ("link INC-7", ("link", PairArgs(None, K7))),
    ],
)
def test_commands_parse(text: str, expected: tuple[str, Any]) -> None:
    assert parse(text) == expected


def test_an_unknown_command_suggests_the_closest_with_its_usage_not_the_whole_help() -> None:
    with pytest.raises(FirebellError) as caught:
        TABLE.parse("lst")
    message = caught.value.message
    assert message.startswith("I don't know `/incident lst`. Did you mean `list`?")
    assert "`/incident list [open|mine|all]`" in message
    assert "`/incident assign" not in message  # a short answer, not the help


def test_an_unknown_command_with_nothing_close_points_to_help() -> None:
    with pytest.raises(FirebellError) as caught:
        TABLE.parse("dance now")
    message = caught.value.message
    assert message == "I don't know `/incident dance`. `/incident help` lists every command."


def test_an_unknown_word_is_escaped_and_clipped() -> None:
    with pytest.raises(FirebellError) as caught:
        TABLE.parse("<!channel>" + "x" * 500)
    assert "<!channel>" not in caught.value.message and len(caught.value.message) < 200


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
        # The problem is escaped as a whole (it quotes typed words): Slack shows `<name>`.
        ("page", "a user group (@group) or `schedule &lt;name&gt;`"),
        ("merge INC-1 into dana", "Name the issues by key. Usage: `/incident merge [INC-n]"),
        ("override primary", "Usage: `/incident override <schedule> @person <duration>`, e.g."),
        ("followups yours", "Usage: `/incident followups [mine]`"),
        ("oncall a b", "Usage: `/incident oncall [schedule]`"),
    ],
)
def test_mistakes_say_what_would_work(text: str, message: str) -> None:
    with pytest.raises(FirebellError) as caught:
        TABLE.parse(text)
    assert message in caught.value.message


def test_help_lists_every_command_and_the_shortcut() -> None:
    text = help_text(TABLE)
    assert "`/incident` – open the Report an issue form" in text
    for fragment in (
        "`/incident assign @person`",
        "`/incident timeline [INC-n]`",
        "*File an issue*",
        ":pushpin:",
    ):
        assert fragment in text


def test_help_is_generated_from_every_registered_declaration_in_order() -> None:
    text = help_text(TABLE)
    places = [text.index(f"• {c.usage_line}") for c in TABLE.commands]
    assert places == sorted(places)  # each slice's commands, in the order it declares them
    for command in TABLE.commands:
        assert f"• {command.usage_line}" in text and command.help in text
    assert {"new", "list", "page", "stats", "merge", "review", "help"} <= set(TABLE.names)
    assert TABLE.names[0] == "new" and TABLE.names[-1] == "help"


async def _nowhere(req: Any, args: Nothing) -> None:
    return None


def _app() -> AsyncApp:
    return AsyncApp(token="xoxb-test", signing_secret="s")


def test_a_declaration_without_its_handler_stops_register_all() -> None:
    broken = Command("dance", "", "dance", nothing, None)  # type: ignore[arg-type]
    slice_ = SimpleNamespace(COMMANDS=(broken,))
    with pytest.raises(ValueError, match=r"/incident dance has no handler"):
        register_all(_app(), (*DOMAINS, slice_))  # type: ignore[arg-type]


def test_a_name_declared_twice_stops_register_all() -> None:
    again = SimpleNamespace(COMMANDS=(Command("lst", "", "x", nothing, _nowhere, ("list",)),))
    with pytest.raises(ValueError, match=r"/incident list is declared twice"):
        register_all(_app(), (*DOMAINS, again))  # type: ignore[arg-type]


def test_every_declared_command_registers() -> None:
    register_all(_app())


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("INC-1", ("show", OnIssue(IssueKey(1)))),
        ("  inc-42 ", ("show", OnIssue(IssueKey(42)))),
        ("ack INC-2147483647", ("ack", OnIssue(IssueKey(2147483647)))),
        ("show INC-007", ("show", OnIssue(K7))),
        ("update INC-3  Rolled  back", ("update", IssueText(K3, "Rolled  back"))),
    ],
)
def test_issue_keys_of_any_length_parse(text: str, expected: tuple[str, Any]) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ack INC-99999999999", "There is no INC-99999999999."),
        ("ack INC-2147483648", "There is no INC-2147483648."),
        ("ack INC-0", "There is no INC-0."),
        ("show inc-" + "9" * 5000, "There is no INC-999"),
        ("update INC-99999999999 Rolled back", "There is no INC-99999999999."),
        ("INC-99999999999", "There is no INC-99999999999."),
        ("merge INC-1 into INC-99999999999", "There is no INC-99999999999."),
        ("override primary <@U1> 99999999999w", "is too long; at most 31 days. Usage:"),
        ("override primary <@U1> 32d", "'32d' is too long; at most 31 days"),
        ("override primary <@U1> " + "9" * 5000 + "m", "is too long"),
        ("override primary <@U1> ²h", "is not a duration"),
        ("INC-1 now", "`now` is not understood here. Usage: `/incident show [INC-n]`"),
    ],
)
def test_huge_numbers_get_an_answer_not_an_overflow(text: str, message: str) -> None:
    with pytest.raises(FirebellError) as caught:
        TABLE.parse(text)
    assert message in caught.value.message


def test_an_override_of_up_to_31_days_parses() -> None:
    assert parse("override Primary <@U1> 4w3d") == (
        "override",
        OverrideArgs("primary", "U1", timedelta(days=31)),
    )
