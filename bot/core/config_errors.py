"""Validation errors of the settings and of firebell.yml, in our words.

Each problem says what the value must be and gives an example, read from the field
(its `description` and `examples`, declared once in core/config_types.py or on the
field) or, for plain fields, from its type and default. The validation library's own
wording never reaches the user.
"""

from __future__ import annotations

import difflib
import typing
from dataclasses import dataclass, field
from datetime import time, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, HttpUrl, SecretStr, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticUndefined

from bot.core.durations import format_duration


@dataclass
class Place:
    """What is known about the value at one location of a model."""

    annotation: Any
    model: type[BaseModel] | None = None  # the model whose key this is
    info: list[FieldInfo] = field(default_factory=list)

    @property
    def description(self) -> str | None:
        return next((i.description for i in self.info if i.description), None)

    @property
    def example(self) -> str | None:
        for info in self.info:
            if info.examples:
                return quoted(info.examples[0])
        default = next((i.default for i in self.info if i.default is not PydanticUndefined), None)
        return quoted(yaml_value(default)) if default not in (None, "", [], {}) else None


def problems(
    exc: ValidationError, root: type[BaseModel], name: typing.Callable[[str], str]
) -> list[str]:
    """One line per problem: `<key>: <what it must be>, e.g. <example>`."""
    return [f"{name(key_of(e['loc']))}: {explain(e, root)}" for e in exc.errors()]


def key_of(loc: tuple[int | str, ...]) -> str:
    """('alert_routes', 0, 'source') -> alert_routes[0].source"""
    text = ""
    for step in loc:
        if step == "[key]":
            continue
        text += f"[{step}]" if isinstance(step, int) else f".{step}" if text else str(step)
    return text or "(top)"


def explain(error: ErrorDetails, root: type[BaseModel]) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    place = locate(root, error["loc"])
    if kind == "extra_forbidden":
        return "is not a setting here" + _did_you_mean(place, str(error["loc"][-1]))
    if kind in ("value_error", "assertion_error"):
        return str(ctx.get("error", "is not accepted")).removeprefix("Value error, ")
    must = _rule(kind, ctx, place)
    example = place.example
    return f"{must}, e.g. {example}" if example else must


def _rule(kind: str, ctx: dict[str, Any], place: Place) -> str:
    what = place.description or kind_of(place.annotation)
    listed = ctx.get("field_type") in ("List", "Dictionary", "Set", "Tuple")
    if kind in ("enum", "literal_error"):
        return "must be one of " + str(ctx.get("expected", "")).replace("'", "")
    if kind in ("too_short", "string_too_short"):
        count = ctx.get("min_length")
        return f"needs at least {count} item(s)" if listed else f"use at least {count} characters"
    if kind in ("too_long", "string_too_long"):
        count = ctx.get("max_length")
        return f"takes at most {count} item(s)" if listed else f"use at most {count} characters"
    bounds = {
        "greater_than": "must be more than {gt}",
        "greater_than_equal": "must be {ge} or more",
        "less_than": "must be less than {lt}",
        "less_than_equal": "must be {le} or less",
    }
    if kind in bounds:
        return bounds[kind].format(**ctx)
    if kind == "missing":
        return f"is required: {what}"
    return f"must be {what}"


def kind_of(annotation: Any) -> str:
    """A type in words, as the configuration reference and the errors say it."""
    annotation = _bare(annotation)
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set):
        return "a list"
    if origin is dict:
        return "a mapping (key: value)"
    if origin is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    if isinstance(annotation, type):
        if issubclass(annotation, Enum):
            return "one of " + ", ".join(str(m.value) for m in annotation)
        for known, words in _WORDS.items():
            if issubclass(annotation, known):
                return words
        if issubclass(annotation, BaseModel):
            return "a mapping of settings"
    return "a value of another kind"


_WORDS: dict[type, str] = {
    bool: "true or false",
    int: "a whole number",
    float: "a number",
    timedelta: "a duration such as 15m, 4h, 1d or 1h30m",
    time: 'a time of day such as "09:00"',
    SecretStr: "a secret",
    Path: "a path",
    HttpUrl: "an http(s) URL",
    str: "text",
}


def yaml_value(value: Any) -> Any:
    """A default as it would be written in firebell.yml."""
    if isinstance(value, timedelta):
        return format_duration(value).replace(" ", "")
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, list):
        return "[" + ", ".join(str(yaml_value(v)) for v in value) + "]"
    return value


def quoted(value: Any) -> str:
    text = str(value)
    return text if text.startswith("`") else f"`{text}`"


def locate(root: type[BaseModel], loc: tuple[int | str, ...]) -> Place:
    """Walk the models along an error's location, collecting what each field declares."""
    place = Place(annotation=root)
    for step in loc:
        bare = _bare(place.annotation)
        if step == "[key]":
            args = typing.get_args(bare)
            place = Place(args[0] if args else Any, place.model, _infos(args[0]) if args else [])
        elif isinstance(bare, type) and issubclass(bare, BaseModel) and isinstance(step, str):
            info = bare.model_fields.get(step)
            if info is None:
                return Place(Any, bare)
            place = Place(info.annotation, bare, [info, *_infos(info.annotation)])
        else:  # a list index or a mapping's key: the items' type
            args = typing.get_args(bare)
            inner = args[-1] if args else Any
            place = Place(inner, place.model, _infos(inner))
    return place


def _bare(annotation: Any) -> Any:
    """X from X | None and Annotated[X, …]."""
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if typing.get_origin(annotation) in (typing.Union, _UnionType) and len(args) == 1:
            annotation = args[0]
            continue
        return annotation


_UnionType = type(int | None)


def _infos(annotation: Any) -> list[FieldInfo]:
    """The Field(...) declarations inside Annotated[...] (under an optional union too)."""
    found: list[FieldInfo] = []
    if typing.get_origin(annotation) is Annotated:
        found += [m for m in annotation.__metadata__ if isinstance(m, FieldInfo)]
        return found + _infos(typing.get_args(annotation)[0])
    if typing.get_origin(annotation) in (typing.Union, _UnionType):
        for arg in typing.get_args(annotation):
            found += _infos(arg)
    return found


def _did_you_mean(place: Place, given: str) -> str:
    known = list(place.model.model_fields) if place.model is not None else []
    close = difflib.get_close_matches(given, known, n=1)
    if close:
        return f" (did you mean `{close[0]}`?)"
    return f"; known here: {', '.join(known)}" if known else ""
