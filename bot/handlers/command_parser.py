"""Parse `/incident` text into a command, with errors that say what would work."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum
from typing import Any

from bot.core.domain import SEVERITY_WORDS_HINT, Priority, Severity, Status, parse_severity
from bot.core.durations import parse_duration
from bot.core.errors import FirebellError
from bot.core.ids import SLASH_COMMAND
from bot.incidents.report_form import TITLE_MAX
from bot.playbooks.model import Role
from bot.sla.oncall import MAX_OVERRIDE

# Any number of ASCII digits, so a key too big to exist is still read as a key
# (and answered "There is no INC-…") rather than as a word nobody understands.
ISSUE_KEY = re.compile(r"INC-([0-9]+)", re.IGNORECASE)
# Issue numbers are 32-bit integers in the database; a bigger one cannot exist.
LARGEST_ISSUE_NUMBER = 2**31 - 1
# Slack escapes mentions in command text as <@U123|name> (should_escape: true).
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
GROUP_MENTION = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$")

USAGE = {
    "new": "new [title]",
    "assign": "assign @person",
    "role": "role <commander|comms|scribe> @person",
    "severity": "severity <trivial|minor|major|critical|sev1-sev4|p1-p4>",
    "priority": "priority <low|medium|high>",
    "status": "status <assigned|revise|retest|fixed|closed>",
    "update": "update [what is happening now]",
    "ack": "ack",
    "fixed": "fixed",
    "deployed": "deployed",
    "close": "close [resolution summary]",
    "reopen": "reopen",
    "show": "show [INC-n]",
    "list": "list [open|mine|all]",
    "timeline": "timeline [INC-n]",
    "escalate": "escalate",
    "page": "page <@person|@group|schedule <name>> [message]",
    "review": "review [INC-n]",
    "followups": "followups [mine]",
    "oncall": "oncall [schedule]",
    "override": "override <schedule> @person <duration>",
    "stats": "stats [7d|30d|90d] [service <name>]",
    "summary": "summary [INC-n]",
    "merge": "merge [INC-n] into INC-m",
    "link": "link [INC-n] INC-m",
    "search": "search <words>",
    "help": "help",
}


@dataclass(frozen=True)
class Command:
    name: str
    issue_number: int | None = None  # from an INC-n anywhere in the text
    user_id: str | None = None
    text: str = ""
    severity: Severity | None = None
    priority: Priority | None = None
    status: Status | None = None
    role: Role | None = None
    scope: str = "open"
    schedule: str | None = None
    duration: timedelta | None = None
    days: int = 30  # the period of `stats`
    service: str | None = None
    other_number: int | None = None  # of `merge` and `link`: the other issue
    target_kind: str | None = None  # of `page`: user | usergroup | schedule
    target: str | None = None
    problem: str | None = field(default=None, compare=False)


def usage(name: str) -> str:
    return f"`{SLASH_COMMAND} {USAGE[name]}`"


def _enum(kind: type[StrEnum], raw: str, name: str) -> Any:
    try:
        return kind(raw.lower())
    except ValueError:
        raise FirebellError(f"`{raw}` is not a {name}. Usage: {usage(name)}") from None


def parse_command(text: str) -> Command:
    words = text.strip().split()
    if not words:
        return Command("new")
    if ISSUE_KEY.fullmatch(words[0]):  # `/incident INC-7` alone asks to see it
        return parse_command(f"show {text.strip()}")
    name = words[0].lower()
    rest = text.strip()[len(words[0]) :].strip()
    if name not in USAGE:
        return Command("help", problem=f"I don't know `{SLASH_COMMAND} {words[0]}`.")
    if name == "new":
        if len(rest) > TITLE_MAX:
            raise FirebellError(
                f"That title is {len(rest)} characters; keep it to {TITLE_MAX} or fewer. "
                f"Example: `{SLASH_COMMAND} new Checkout fails for EU users`"
            )
        return Command("new", text=rest)
    if name == "page":
        return _page(rest)
    if name in {"merge", "link"}:
        return _pair(name, words[1:])
    if name == "search":
        if not rest:
            raise FirebellError(f"Say what to look for. Usage: {usage('search')}")
        return Command("search", text=rest[:300])
    if name in {"update", "close"}:
        number, rest = _leading_key(rest)
        return Command(name, issue_number=number, text=rest)
    number, args = _split_key(words[1:])
    return _with_args(name, number, args)


def _pair(name: str, words: list[str]) -> Command:
    """`merge [INC-n] into INC-m`, `link [INC-n] INC-m`: the first defaults to this
    channel's issue."""
    rest = [w for w in words if not (name == "merge" and w.lower() == "into")]
    numbers = [_issue_number(w) for w in rest]
    if not rest or len(rest) > 2 or None in numbers:
        raise FirebellError(f"Name the issues by key. Usage: {usage(name)}")
    first = numbers[0] if len(numbers) == 2 else None
    return Command(name, first, other_number=numbers[-1])


def _page(rest: str) -> Command:
    """`page @person [message]`, `page @group …`, `page schedule <name> …`; an INC-n may
    come first."""
    number, rest = _leading_key(rest)
    head, *tail = rest.split(None, 1) or [""]
    said = tail[0].strip() if tail else ""
    if match := MENTION.match(head):
        return Command("page", number, target_kind="user", target=match[1], text=said)
    if match := GROUP_MENTION.match(head):
        return Command("page", number, target_kind="usergroup", target=match[1], text=said)
    if head.lower() == "schedule" and said:
        schedule, *rest_of = said.split(None, 1)
        text = rest_of[0].strip() if rest_of else ""
        return Command("page", number, target_kind="schedule", target=schedule, text=text)
    raise FirebellError(
        f"Say whom to page: a person (@name), a user group (@group) or `schedule <name>`. "
        f"Usage: {usage('page')}"
    )


def _issue_number(word: str) -> int | None:
    """The number of an INC-n key, None for any other word."""
    match = ISSUE_KEY.fullmatch(word)
    if not match:
        return None
    digits = match[1].lstrip("0") or "0"
    # Checked on the digits first: int() refuses 4,300 digits or more.
    if len(digits) > len(str(LARGEST_ISSUE_NUMBER)) or int(digits) > LARGEST_ISSUE_NUMBER:
        key = word.upper() if len(word) <= 24 else word[:20].upper() + "…"  # a reply, not a wall
        raise FirebellError(f"There is no {key}.")
    return int(digits)


def _leading_key(rest: str) -> tuple[int | None, str]:
    head, *tail = rest.split(None, 1) or [""]
    number = _issue_number(head)
    return (number, "".join(tail).strip()) if number is not None else (None, rest)


def _split_key(words: list[str]) -> tuple[int | None, list[str]]:
    number = None
    args = []
    for word in words:
        found = _issue_number(word) if number is None else None
        if found is not None:
            number = found
        else:
            args.append(word)
    return number, args


def _mention(args: list[str], name: str) -> str:
    for word in args:
        match = MENTION.match(word)
        if match:
            return match[1]
    raise FirebellError(f"Mention the person with @ so Slack links them. Usage: {usage(name)}")


def _with_args(name: str, number: int | None, args: list[str]) -> Command:
    def one_arg() -> str:
        if len(args) != 1:
            raise FirebellError(f"Usage: {usage(name)}")
        return args[0]

    if name == "assign":
        return Command(name, number, user_id=_mention(args, name))
    if name == "role":
        if not args:
            raise FirebellError(f"Usage: {usage(name)}")
        role = _enum(Role, args[0], "role")
        return Command(name, number, role=role, user_id=_mention(args[1:], name))
    if name == "severity":
        word = one_arg()
        severity = parse_severity(word)
        if severity is None:
            raise FirebellError(
                f"`{word}` is not a severity: use {SEVERITY_WORDS_HINT}. Usage: {usage(name)}"
            )
        return Command(name, number, severity=severity)
    if name == "priority":
        return Command(name, number, priority=_enum(Priority, one_arg(), name))
    if name == "status":
        status = _enum(Status, one_arg(), name)
        if status == Status.NEW:
            raise FirebellError("An issue cannot go back to New; `reopen` moves it to Assigned.")
        return Command(name, number, status=status)
    if name == "followups":
        if args not in ([], ["mine"]):
            raise FirebellError(f"Usage: {usage(name)}")
        return Command(name, scope="mine" if args else "open")
    if name == "oncall":
        if len(args) > 1:
            raise FirebellError(f"Usage: {usage(name)}")
        return Command(name, schedule=args[0].lower() if args else None)
    if name == "override":
        if len(args) != 3:
            raise FirebellError(f"Usage: {usage(name)}, e.g. `/incident override primary @dana 4h`")
        try:
            length = parse_duration(args[2], longest=MAX_OVERRIDE)
        except ValueError as exc:
            raise FirebellError(f"{exc}. Usage: {usage(name)}") from None
        return Command(
            name, schedule=args[0].lower(), user_id=_mention(args[1:2], name), duration=length
        )
    if name == "stats":
        return _stats(args)
    if name == "list":
        scope = args[0].lower() if args else "open"
        if len(args) > 1 or scope not in {"open", "mine", "all"}:
            raise FirebellError(f"Usage: {usage(name)}")
        return Command(name, scope=scope)
    if args:
        raise FirebellError(f"`{' '.join(args)}` is not understood here. Usage: {usage(name)}")
    return Command(name, number)


STATS_PERIODS = {"7d": 7, "30d": 30, "90d": 90}


def _stats(args: list[str]) -> Command:
    """`stats [7d|30d|90d] [service <name>]`, in either order."""
    days, service, rest = 30, None, list(args)
    while rest:
        word = rest.pop(0).lower()
        if word in STATS_PERIODS:
            days = STATS_PERIODS[word]
        elif word == "service" and rest:
            service = rest.pop(0)[:80]
        else:
            raise FirebellError(
                f"Usage: {usage('stats')}, e.g. `/incident stats 7d service checkout-api`"
            )
    return Command("stats", days=days, service=service)
