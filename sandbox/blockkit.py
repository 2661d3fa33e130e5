"""Block Kit validation the way Slack applies it.

slack_sdk's models check element-level limits (text lengths, option counts,
the 24-character modal title); the counts they do not check are added here.
"""

from __future__ import annotations

import json
from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MAX_MESSAGE_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_PRIVATE_METADATA = 3000
MAX_MODAL_TITLE = 24
MAX_MESSAGE_TEXT = 40000


def _parse(raw: Any) -> Any:
    if isinstance(raw, str):
        try:
            return json.loads(raw)
        except ValueError:
            return None
    return raw


def _check_blocks(blocks: list[Any]) -> list[str]:
    problems = []
    for index, raw in enumerate(blocks):
        if not isinstance(raw, dict):
            problems.append(f"block {index} is not an object")
            continue
        block = Block.parse(raw)
        if block is None:
            problems.append(f"block {index}: unknown block type {raw.get('type')!r}")
            continue
        try:
            block.validate_json()
        except SlackObjectFormationError as exc:
            problems.append(f"block {index} ({raw.get('type')}): {exc}")
    block_ids = [b.get("block_id") for b in blocks if isinstance(b, dict) and b.get("block_id")]
    if len(block_ids) != len(set(block_ids)):
        problems.append("duplicate block_id")
    return problems


def message_problems(raw_blocks: Any) -> list[str]:
    """Problems with a message's `blocks`; empty when Slack would accept them."""
    blocks = _parse(raw_blocks)
    if not isinstance(blocks, list):
        return ["blocks must be a JSON array"]
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        return [f"{len(blocks)} blocks; a message takes at most {MAX_MESSAGE_BLOCKS}"]
    return _check_blocks(blocks)


def view_problems(raw_view: Any) -> list[str]:
    """Problems with a view; empty when Slack would accept it."""
    view = _parse(raw_view)
    if not isinstance(view, dict):
        return ["view must be a JSON object"]
    problems = []
    if view.get("type") not in {"modal", "home"}:
        problems.append("view type must be modal or home")
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        return [*problems, "view needs a blocks array"]
    limit = MAX_MODAL_BLOCKS
    if len(blocks) > limit:
        problems.append(f"{len(blocks)} blocks; a view takes at most {limit}")
    title = (view.get("title") or {}).get("text", "")
    if view.get("type") == "modal" and not 0 < len(title) <= MAX_MODAL_TITLE:
        problems.append(f"modal title must be 1 to {MAX_MODAL_TITLE} characters")
    if len(view.get("private_metadata") or "") > MAX_PRIVATE_METADATA:
        problems.append(f"private_metadata is over {MAX_PRIVATE_METADATA} characters")
    if any(b.get("type") == "input" for b in blocks if isinstance(b, dict)) and not view.get(
        "submit"
    ):
        problems.append("a modal with input blocks needs a submit button")
    try:
        View(**view).validate_json()
    except (SlackObjectFormationError, TypeError) as exc:
        problems.append(str(exc))
    return problems + _check_blocks(blocks)
