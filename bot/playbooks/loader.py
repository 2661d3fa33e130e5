"""Load and validate playbooks; choose the one that fits an issue."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bot.core.errors import ConfigError
from bot.core.yaml_files import read_mapping
from bot.playbooks.model import Playbook

BUILTIN_DIR = Path(__file__).parent
DEFAULT_NAME = "default"


def _where(raw: dict[str, Any], loc: tuple[Any, ...]) -> str:
    """`phases.response[2] (step 'rotate-keys'): owner` for a location in a playbook.

    Steps sit at phases.<phase>[n]; what lies below a step is named after it.
    """
    loc = tuple(part for part in loc if part != "[key]")
    head, tail = (loc[:3], loc[3:]) if loc[:1] == ("phases",) and len(loc) >= 3 else (loc, ())
    words: list[str] = []
    for part in head:
        if isinstance(part, int) and words:
            words[-1] += f"[{part + 1}]"  # people count steps from 1
        else:
            words.append(str(part))
    where = ".".join(words) or "(top)"
    if len(head) == 3:
        try:
            step_id = raw["phases"][head[1]][head[2]].get("id")
        except (KeyError, IndexError, TypeError, AttributeError):
            step_id = None
        if step_id:
            where += f" (step '{step_id}')"
    if tail:
        where += ": " + ".".join(str(p + 1) if isinstance(p, int) else str(p) for p in tail)
    return where


def load_file(path: Path) -> Playbook:
    raw = read_mapping(path, "a playbook (a mapping with name and phases)")
    try:
        return Playbook(**raw)
    except ValidationError as exc:
        lines = [f"{path}: {_where(raw, tuple(e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise ConfigError("\n".join(lines)) from None


@dataclass(frozen=True)
class Playbooks:
    by_name: dict[str, Playbook]

    def choose(self, issue_type: str, severity: str) -> Playbook:
        """The most specific playbook that applies; the default one otherwise."""
        fits = [
            (score, name, book)
            for name, book in self.by_name.items()
            if name != DEFAULT_NAME
            and (score := book.specificity(issue_type, severity)) is not None
        ]
        if not fits:
            return self.by_name[DEFAULT_NAME]
        return max(fits, key=lambda fit: (fit[0], fit[1]))[2]

    def get(self, name: str | None) -> Playbook:
        return self.by_name.get(name or DEFAULT_NAME) or self.by_name[DEFAULT_NAME]


def load_playbooks(team_dir: Path | None = None) -> Playbooks:
    """Built-in playbooks, then the team's folder; a team file overrides one of the same name."""
    books: dict[str, Playbook] = {}
    for folder in (BUILTIN_DIR, team_dir):
        if folder is None:
            continue
        if not folder.is_dir():
            raise ConfigError(f"{folder}: the playbooks folder does not exist")
        for path in sorted(folder.glob("*.y*ml")):
            book = load_file(path)
            if folder == team_dir or book.name not in books:
                books[book.name] = book
    if DEFAULT_NAME not in books:
        raise ConfigError(f"{BUILTIN_DIR}: no playbook named '{DEFAULT_NAME}'")
    return Playbooks(books)
