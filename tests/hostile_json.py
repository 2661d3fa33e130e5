"""Breaking a good JSON body at random places, for the fuzz tests of the Slack endpoint
and the webhooks: where a value can be swapped, the swap, and tokens json.dumps cannot
write (1e400, NaN, nesting thousands deep) spliced into the text."""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PLACEHOLDER = "@@RAW@@"


@dataclass(frozen=True)
class Raw:
    """A JSON token json.dumps cannot write, spliced in where a "@@RAW@@" string stands."""

    token: str


def paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in a body a value could be swapped."""
    found = [here] if here else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += paths(item, (*here, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += paths(item, (*here, index))
    return found


def put(body: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        body = body[step]
    body[path[-1]] = value


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def swap(
    rng: random.Random, body: Any, places: list[tuple[Any, ...]], values: Sequence[Any]
) -> list[str]:
    """Swap one to three of these places for values drawn from `values`; the Raw tokens
    among them, in order, for `dumps`."""
    raws: list[str] = []
    for path in rng.sample(places, min(len(places), rng.randint(1, 3))):
        value = copy.deepcopy(rng.choice(values))
        if isinstance(value, Raw):
            raws.append(value.token)
            value = PLACEHOLDER
        try:
            put(body, path, value)
        except (IndexError, KeyError, TypeError):
            continue  # an earlier swap replaced this path's parent
    return raws


def dumps(body: Any, raws: Sequence[str] = ()) -> str:
    """The body as JSON text, each placeholder replaced by its raw token."""
    text = json.dumps(body)
    for token in raws:
        text = text.replace(f'"{PLACEHOLDER}"', token, 1)
    return text
