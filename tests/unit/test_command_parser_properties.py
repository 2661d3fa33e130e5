"""Whatever anyone types after /incident, the command table answers with a declared
command and its arguments or a FirebellError (a message for the person), never
another exception."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.domain import Priority, Severity, Status
from bot.core.errors import FirebellError
from bot.handlers import command_table
from bot.playbooks.model import Role

TABLE = command_table()

# Every code point, lone surrogates included (hypothesis leaves those out by default).
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
HUGE = st.integers(min_value=0, max_value=10**40) | st.just(2**31 - 1) | st.just(2**31)
DIGITS = HUGE.map(str) | st.text("0123456789²١", min_size=1, max_size=60)
VOCABULARY = [
    *TABLE.names,
    *(m.value for kind in (Severity, Priority, Status, Role) for m in kind),
    "open",
    "mine",
    "all",
    "primary",
]
WORD = st.one_of(
    st.sampled_from(VOCABULARY),
    DIGITS.map(lambda n: f"INC-{n}"),
    DIGITS.map(lambda n: f"inc-{n}"),
    st.tuples(st.from_regex(r"[UW][A-Z0-9]{1,12}", fullmatch=True), ANY_TEXT).map(
        lambda pair: f"<@{pair[0]}|{pair[1]}>"
    ),
    st.tuples(DIGITS, st.sampled_from("mhdwx")).map("".join),
    ANY_TEXT,
)
SEPARATOR = st.sampled_from([" ", "  ", "\t", "\n", "\u00a0", "\u2003"])
COMMAND_TEXT = st.lists(st.tuples(WORD, SEPARATOR), max_size=6).map(
    lambda pairs: "".join(word + gap for word, gap in pairs)
)


def answers(text: str) -> None:
    try:
        result = TABLE.parse(text)
    except FirebellError as exc:
        assert exc.message
    else:
        assert result.command.name in TABLE.names
        for key in (getattr(result.args, name, None) for name in ("key", "first", "other")):
            if key is not None:
                assert 1 <= key.number <= 2**31 - 1  # fits the database column


@settings(max_examples=400, database=None, deadline=None)
@given(COMMAND_TEXT)
def test_words_from_the_vocabulary_in_any_order(text: str) -> None:
    answers(text)


@settings(max_examples=200, database=None, deadline=None)
@given(st.sampled_from(sorted(TABLE.names)), COMMAND_TEXT)
def test_every_command_with_any_arguments(name: str, rest: str) -> None:
    answers(f"{name} {rest}")


@settings(max_examples=200, database=None, deadline=None)
@given(
    st.sampled_from(["override", "OVERRIDE"]),
    WORD,
    WORD,
    st.tuples(DIGITS, st.sampled_from(["m", "h", "d", "w", "h30m", "x"])).map("".join) | WORD,
)
def test_overrides_of_any_length(name: str, schedule: str, person: str, length: str) -> None:
    answers(f"{name} {schedule} {person} {length}")


@settings(max_examples=200, database=None, deadline=None)
@given(ANY_TEXT)
def test_arbitrary_text(text: str) -> None:
    answers(text)
