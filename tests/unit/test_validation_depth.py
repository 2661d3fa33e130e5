"""The webhook edge refuses bodies nested past MAX_DEPTH, counting objects and lists alike."""

from __future__ import annotations

import json

import pytest

from bot.detection.validation import MAX_DEPTH, BadPayload, check_depth


def nested(depth: int, leaf: object = "x") -> object:
    body: object = leaf
    for level in range(depth):
        body = {"k": body, "n": 1} if level % 2 else [body, "text"]
    return body


@pytest.mark.parametrize("leaf", ["x", 1, None, []])
def test_max_depth_passes_and_one_more_is_refused(leaf: object) -> None:
    check_depth(json.loads(json.dumps(nested(MAX_DEPTH - (leaf == []), leaf))))
    with pytest.raises(BadPayload, match=f"more than {MAX_DEPTH} levels"):
        check_depth(json.loads(json.dumps(nested(MAX_DEPTH + 1, leaf))))


def test_scalars_and_wide_bodies_pass() -> None:
    for body in ("text", 3, None, [1] * 10_000, {str(i): [i] for i in range(1000)}):
        check_depth(body)
