"""Typed text never pings or links: every view, rendered with hostile strings in every
field a person or a tool fills, holds no live `<!…>`, `<@…>`, `<#…>` or `<http…>` that
Firebell did not put there itself, and still passes Slack's Block Kit limits.

The views are found by introspection (every public function of every views module), and
their arguments come from one factory per parameter (tests/unit/hostile_records.py): a new
view is covered by itself, or fails here with "no factory for parameter X of view Y".
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.core.blocks import clip, escape
from bot.core.errors import FirebellError
from bot.handlers import command_table
from bot.incidents.report_modal import report_modal
from bot.reviews.delivery import published_text
from bot.sla.targets import PageTarget
from sandbox.blockkit import MAX_MESSAGE_TEXT, message_problems, view_problems
from tests.unit.hostile_records import BY_NAME, BY_TYPE, CHANNEL, HOSTILE, TRUSTED, USER

BOT = Path(__file__).resolve().parents[2] / "bot"

ALLOWED = re.compile(
    r"<@[UW]FB[A-Z0-9]*>"
    r"|<#CFB[A-Z0-9]*>"
    r"|<!subteam\^SFB[A-Z0-9]*>"
    r"|<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>|]*>"
    rf"|<{re.escape(TRUSTED)}/[^<>|\s]*(\|[^<>]*)?>"
)


def leaks(text: str) -> list[str]:
    """Markup Slack would act on that Firebell did not put there. After escaping,
    typed text holds no `<` at all, so any `<` left must start Firebell's own markup."""
    rest = ALLOWED.sub("", text)
    return [rest[max(0, i - 20) : i + 40] for i in (m.start() for m in re.finditer("<", rest))]


# -- finding the views ------------------------------------------------------------------


def view_modules() -> list[str]:
    """Every module whose job is words and blocks: views.py, *_views.py, and the card
    and announcements of an issue."""
    paths = [*BOT.rglob("views.py"), *BOT.rglob("*_views.py")]
    paths += [BOT / "incidents" / "card.py", BOT / "incidents" / "announcements.py"]
    root = BOT.parent
    return sorted(".".join(p.relative_to(root).with_suffix("").parts) for p in paths)


# Views that live beside other code in their module.
MORE_VIEWS: list[Callable[..., Any]] = [report_modal, published_text]


def views() -> list[Callable[..., Any]]:
    found = list(MORE_VIEWS)
    for name in view_modules():
        module = importlib.import_module(name)
        found += [
            fn
            for fn_name, fn in inspect.getmembers(module, inspect.isfunction)
            if fn.__module__ == name and not fn_name.startswith("_")
        ]
    return found


def view_id(view: Callable[..., Any]) -> str:
    return f"{view.__module__}.{view.__qualname__}"


@dataclass(frozen=True)
class Call:
    args: dict[str, Any]
    changed: str  # which parameter this call varies, for the failure message


def calls(view: Callable[..., Any]) -> Iterator[Call]:
    """Every value of each parameter once, the others at their first value."""
    choices: dict[str, list[Any]] = {}
    for param in inspect.signature(view).parameters.values():
        annotation = str(param.annotation)
        factory = BY_TYPE.get(annotation) or BY_NAME.get(param.name)
        if factory is None:
            pytest.fail(
                f"no factory for parameter {param.name} ({annotation}) of view "
                f"{view_id(view)}: add one to BY_TYPE or BY_NAME in tests/unit/hostile_records.py"
            )
        values = factory()
        # None where the view takes it, and only there.
        optional = annotation.endswith("| None") or annotation == "Any"
        choices[param.name] = values if optional else [v for v in values if v is not None]
    first = {name: values[0] for name, values in choices.items()}
    yield Call(first, "first values")
    for name, values in choices.items():
        for index, value in enumerate(values[1:], 1):
            yield Call({**first, name: value}, f"{name} #{index}")


# -- what Slack reads -------------------------------------------------------------------


def mrkdwn_texts(blocks: Any) -> Iterator[str]:
    """Every text Slack parses as mrkdwn. plain_text objects (headers, labels, buttons)
    and input values are shown as typed: markup there is never a mention or a link."""
    if isinstance(blocks, dict):
        if blocks.get("type") == "mrkdwn":
            yield blocks["text"]
        for value in blocks.values():
            yield from mrkdwn_texts(value)
    elif isinstance(blocks, list):
        for value in blocks:
            yield from mrkdwn_texts(value)


def rendered(result: Any) -> tuple[list[str], list[str]]:
    """(texts Slack parses, Block Kit problems) of whatever a view returns."""
    if result is None:
        return [], []
    if isinstance(result, str):  # a message's text, or a line of one
        return [result], [] if len(result) <= MAX_MESSAGE_TEXT else ["text over the limit"]
    if isinstance(result, tuple) and len(result) == 2 and isinstance(result[0], str):
        text, blocks = result
        if isinstance(blocks, str):  # a figure's label and value
            return [text, blocks], []
        problems = message_problems(blocks)
        if len(text) > MAX_MESSAGE_TEXT:
            problems.append("fallback text over the limit")
        return [text, *mrkdwn_texts(blocks)], problems
    if isinstance(result, dict) and result.get("type") in {"modal", "home"}:
        return list(mrkdwn_texts(result)), view_problems(result)
    if isinstance(result, dict):  # one block
        return list(mrkdwn_texts(result)), message_problems([result])
    if isinstance(result, list) and all(isinstance(r, tuple) for r in result):
        return [t for pair in result for t in rendered(pair)[0]], []
    if isinstance(result, list):
        return list(mrkdwn_texts(result)), message_problems(result)
    raise AssertionError(f"a view returned {type(result).__name__}: teach rendered() to read it")


@pytest.mark.parametrize("view", views(), ids=view_id)
def test_typed_text_in_a_view_never_pings_or_links(view: Callable[..., Any]) -> None:
    for call in calls(view):
        texts, problems = rendered(view(**call.args))
        found = [leak for text in texts for leak in leaks(text)]
        assert not found, f"{view_id(view)} ({call.changed}) lets markup through: {found[:3]}"
        assert not problems, f"{view_id(view)} ({call.changed}): {problems}"


def test_the_check_catches_markup_and_allows_firebells_own() -> None:
    assert leaks("hi <!channel>") and leaks("<https://evil.example|docs>") and leaks("<@U123>")
    assert leaks(json.dumps("<#C123>"))
    assert not leaks(f"<@{USER}> in <#{CHANNEL}> at <!date^1^{{date_short_pretty}} {{time}}|x>")
    assert not leaks(f"<{TRUSTED}/r/1|v1.2> &lt;!channel&gt;")


def test_every_views_module_is_found() -> None:
    modules = view_modules()
    assert "bot.feed.views" in modules and "bot.incidents.card" in modules
    assert len(views()) >= 50


def test_clipping_escaped_text_never_leaves_half_an_escape() -> None:
    escaped = escape("<" * 100)
    for limit in range(2, 60):
        clipped = clip(escaped, limit)
        assert len(clipped) <= limit and clipped.endswith("…")
        assert clipped.removesuffix("…").replace("&lt;", "") == ""


def test_typed_words_quoted_back_by_a_command_stay_text() -> None:
    """Every command's answer to words it cannot use quotes them: escaped."""
    table = command_table()
    # Firebell's own usage lines name their arguments in brackets: `<words>`.
    usages = re.compile("|".join(re.escape(c.usage_line) for c in table.commands))
    for command in table.commands:
        for rest in (HOSTILE, f"INC-1 {HOSTILE}", f"schedule {HOSTILE}", "x" * 50 + HOSTILE):
            try:
                table.parse(f"{command.name} {rest}")
            except FirebellError as refused:
                said = usages.sub("", refused.message)
                assert not leaks(said), (command.name, refused.message)
    with pytest.raises(FirebellError) as refused:
        PageTarget.of(HOSTILE, "x")
    assert not leaks(refused.value.message)
