"""The configuration reference, generated from the settings models.

`python -m bot.config_docs > docs/configuration.md` writes it; a unit test compares the
committed file with a fresh one, so the reference cannot fall behind the models.
"""

from __future__ import annotations

import typing
from typing import Any

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from bot.config import FirebellConfig, Settings
from bot.core.config_errors import Place, _bare, _infos, kind_of, yaml_value

COMMAND = "python -m bot.config_docs > docs/configuration.md"


def reference() -> str:
    lines = [
        "# Configuration reference",
        "",
        f"Generated from the settings models by `{COMMAND}`; do not edit by hand.",
        "",
        "## Environment variables",
        "",
        "Read from the environment, then `.env` in the working directory.",
        "",
        "| variable | type | default | example |",
        "| --- | --- | --- | --- |",
    ]
    for name, info in Settings.model_fields.items():
        lines.append(_row(name.upper(), info))
    lines += [
        "",
        "## firebell.yml",
        "",
        "Every key is optional unless its default says *required*; unknown keys are errors.",
        "A key ending in `.<name>` is a mapping whose keys you choose; `[]` marks a list.",
        "See `firebell.example.yml` for a complete, commented example.",
        "",
        "| key | type | default | example |",
        "| --- | --- | --- | --- |",
    ]
    lines += _model_rows(FirebellConfig, "")
    return "\n".join(lines) + "\n"


def _model_rows(model: type[BaseModel], prefix: str) -> list[str]:
    rows: list[str] = []
    for name, info in model.model_fields.items():
        key = prefix + name
        rows.append(_row(key, info))
        rows += _nested(info.annotation, key)
    return rows


def _nested(annotation: Any, key: str) -> list[str]:
    """The keys of a section, of a list's items and of a mapping's values."""
    bare = _bare(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return _model_rows(bare, key + ".")
    origin, args = typing.get_origin(bare), typing.get_args(bare)
    if origin is list and args:
        return _items(args[0], key + "[]")
    if origin is dict and len(args) == 2:
        return _items(args[1], key + ".<name>")
    return []


def _items(annotation: Any, key: str) -> list[str]:
    """A list's items or a mapping's values: a section's keys, or one row for the value."""
    bare = _bare(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel):
        return _nested(annotation, key)
    return [_row(key, FieldInfo.from_annotated_attribute(annotation, None))]


def _row(key: str, info: FieldInfo) -> str:
    place = Place(info.annotation, None, [info, *_infos(info.annotation)])
    kind = place.description or kind_of(info.annotation)
    example = place.example or "–"
    note = _doc(info.annotation)
    cells = [f"`{key}`", kind + (f" ({note})" if note else ""), _default(info), example]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        value = info.default_factory()  # type: ignore[call-arg]
        if isinstance(value, BaseModel):
            return "(section defaults)"
        if value in ([], {}):
            return "empty"
        return "see below" if isinstance(value, dict) else f"`{yaml_value(value)}`"
    if info.default is PydanticUndefined:
        return "*required*"
    if info.default is None:
        return "–"
    return f"`{yaml_value(info.default)}`"


def _doc(annotation: Any) -> str:
    """The first line of a section's docstring, as its note."""
    bare = _bare(annotation)
    if isinstance(bare, type) and issubclass(bare, BaseModel) and bare.__doc__:
        first = bare.__doc__.strip().split("\n\n")[0]
        return " ".join(first.split()).rstrip(".")
    return ""


if __name__ == "__main__":
    print(reference(), end="")
