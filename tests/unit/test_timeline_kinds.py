"""Timeline kinds are declared by their slices with their words, and every kind
recorded is one of them: a kind left without words, declared twice or not
registered stops start-up."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from bot.app import TIMELINE_KINDS
from bot.core.ai.prompt import KEEP_KINDS
from bot.core.timeline import EventKind, EventKinds, KindError, add_event

BOT = Path(__file__).resolve().parents[2] / "bot"
# Calls that record an event, and the position of their kind argument.
RECORDERS = {"add_event": 2, "record": 1, "_changed": 3}


class ToyEvent(EventKind):
    WAVE = "wave", "waved at {whom}"


class OtherToyEvent(EventKind):
    ALSO_WAVE = "wave", "waved again"


def test_every_recorded_kind_is_a_declared_member_not_a_string() -> None:
    bare = []
    for path in sorted(BOT.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", getattr(node.func, "id", None))
            at = RECORDERS.get(name or "")
            if at is None or len(node.args) <= at:
                continue
            arg = node.args[at]
            parts = [arg.body, arg.orelse] if isinstance(arg, ast.IfExp) else [arg]
            if any(isinstance(p, ast.Constant | ast.JoinedStr) for p in parts):
                bare.append(f"{path.relative_to(BOT.parent)}:{node.lineno}")
    assert bare == []


def test_every_kind_of_the_app_has_words_that_read_whole() -> None:
    registry = EventKinds()
    registry.register(*TIMELINE_KINDS)
    registry.require_all()  # nothing declared under bot/ is left out of create_app's list
    for enum in TIMELINE_KINDS:
        for kind in enum:
            assert registry.get(kind.value) is kind
            fields = re.findall(r"{(\w+)}", kind.words)
            kind.words.format(**dict.fromkeys(fields, "x"))  # no stray brace
    # Kinds a slice names as stored strings (the review's kept lines) exist.
    assert KEEP_KINDS <= {kind.value for enum in TIMELINE_KINDS for kind in enum}


def test_a_kind_without_words_stops_at_its_declaration() -> None:
    with pytest.raises(KindError, match="'shrug' has no words"):

        class Mute(EventKind):
            SHRUG = "shrug"


def test_a_kind_declared_twice_stops_start_up() -> None:
    registry = EventKinds()
    registry.register(ToyEvent)
    registry.register(ToyEvent)  # again, as every app built in one process does
    with pytest.raises(KindError, match="'wave' is declared twice"):
        registry.register(OtherToyEvent)


def test_a_declared_kind_left_unregistered_stops_start_up() -> None:
    registry = EventKinds()
    registry.register(ToyEvent)
    with pytest.raises(KindError, match=r"not registered: tests\.unit\.test_timeline_kinds\.Other"):
        registry.require_all("tests")


def test_a_bare_string_is_refused_when_recorded() -> None:
    with pytest.raises(KindError, match="bare string"):
        add_event(None, _Issue(), "linked", None)  # type: ignore[arg-type]


class _Issue:  # enough of an issue to reach the check
    id = 1
