"""The parsing helpers every `/incident` command's parser shares: issue keys,
mentions, enums, durations, and the argument shapes several commands take.

A parser gets the text after the command word and returns its command's typed
arguments. It raises `BadArguments` for words that do not fit; the command table
adds the command's usage line, so each message says what would work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import TypeVar

from bot.core.durations import parse_duration
from bot.core.errors import FirebellError
from storage.issue_key import IssueKey, NoSuchKey, NotAKey

# Slack escapes mentions in command text as <@U123|name> (should_escape: true).
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
GROUP_MENTION = re.compile(r"^<!subteam\^(S[A-Z0-9]+)(?:\|[^>]*)?>$")

E = TypeVar("E", bound=StrEnum)


class BadArguments(Exception):
    """Words a command cannot use; answered as `<problem> Usage: <its usage>`."""

    def __init__(self, problem: str = "", example: str = "") -> None:
        super().__init__(problem)
        self.problem = problem
        self.example = example  # what follows the command word in a working example


# -- the shapes several commands share ------------------------------------------------


@dataclass(frozen=True)
class Nothing:
    """A command that takes no words at all."""


@dataclass(frozen=True)
class OnIssue:
    """A command about one issue: INC-n if given, else this channel's."""

    key: IssueKey | None = None


@dataclass(frozen=True)
class IssueText:
    """An optional leading INC-n, then free text (an update, a resolution summary)."""

    key: IssueKey | None = None
    text: str = ""


def nothing(rest: str) -> Nothing:
    if rest:
        raise BadArguments(f"`{rest}` is not understood here.")
    return Nothing()


def on_issue(rest: str) -> OnIssue:
    key, extra = split_key(rest)
    if extra:
        raise BadArguments(f"`{' '.join(extra)}` is not understood here.")
    return OnIssue(key)


def issue_text(rest: str) -> IssueText:
    key, text = leading_key(rest)
    return IssueText(key, text)


# -- words ----------------------------------------------------------------------------


def issue_key(word: str) -> IssueKey | None:
    """The key a word names, None for any other word; a key no issue can have (INC-0,
    past the 32-bit column) is answered "There is no INC-…"."""
    try:
        return IssueKey.parse(word)
    except NotAKey:
        return None
    except NoSuchKey as exc:
        raise FirebellError(str(exc)) from None


def leading_key(rest: str) -> tuple[IssueKey | None, str]:
    """An INC-n as the first word, and the text after it (spacing inside kept)."""
    head, *tail = rest.split(None, 1) or [""]
    key = issue_key(head)
    return (key, "".join(tail).strip()) if key is not None else (None, rest)


def split_key(rest: str) -> tuple[IssueKey | None, list[str]]:
    """The first INC-n anywhere among the words, and the other words in order."""
    key = None
    others = []
    for word in rest.split():
        found = issue_key(word) if key is None else None
        if found is not None:
            key = found
        else:
            others.append(word)
    return key, others


def mention(words: list[str]) -> str:
    """The user id of the first @person among the words."""
    for word in words:
        if match := MENTION.match(word):
            return match[1]
    raise BadArguments("Mention the person with @ so Slack links them.")


def group_mention(word: str) -> str | None:
    match = GROUP_MENTION.match(word)
    return match[1] if match else None


def person_mention(word: str) -> str | None:
    match = MENTION.match(word)
    return match[1] if match else None


def choice(kind: type[E], raw: str, what: str) -> E:
    """One member of an enum, by its value in any case."""
    try:
        return kind(raw.lower())
    except ValueError:
        raise BadArguments(f"`{raw}` is not a {what}.") from None


def duration(word: str, longest: timedelta) -> timedelta:
    try:
        return parse_duration(word, longest=longest)
    except ValueError as exc:
        raise BadArguments(f"{exc}.") from None


def one_word(words: list[str]) -> str:
    if len(words) != 1:
        raise BadArguments()
    return words[0]
