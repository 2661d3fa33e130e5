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
MAX_FILE_INPUT_FILES = 10  # a file input's max_files: 1 to 10
FILE_INPUT_BYTES = 10 * 1024 * 1024  # what Slack's file input uploads at most, per file


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


def _file_input_problems(blocks: list[Any], *, in_modal: bool) -> list[str]:
    """A file input: only as the element of an input block, in a modal (what Slack
    submits it with), with max_files 1 to 10 and filetypes a list of extensions."""
    problems = []
    for index, block in enumerate(blocks):
        if not isinstance(block, dict):
            continue
        element = block.get("element") if block.get("type") == "input" else None
        nested = [e for e in block.get("elements") or [] if isinstance(e, dict)]
        if any(e.get("type") == "file_input" for e in nested) or (
            isinstance(block.get("accessory"), dict)
            and block["accessory"].get("type") == "file_input"
        ):
            problems.append(f"block {index}: a file_input must be the element of an input block")
        if not isinstance(element, dict) or element.get("type") != "file_input":
            continue
        if not in_modal:
            problems.append(f"block {index}: a file_input works only in a modal")
        most = element.get("max_files", MAX_FILE_INPUT_FILES)
        if not isinstance(most, int) or isinstance(most, bool):
            problems.append(f"block {index}: max_files must be an integer")
        elif not 1 <= most <= MAX_FILE_INPUT_FILES:
            problems.append(f"block {index}: max_files must be 1 to {MAX_FILE_INPUT_FILES}")
        kinds = element.get("filetypes")
        if kinds is not None and (
            not isinstance(kinds, list)
            or not kinds
            or not all(isinstance(k, str) and k and "." not in k for k in kinds)
        ):
            problems.append(f"block {index}: filetypes must be a list of extensions, e.g. png")
    return problems


def message_problems(raw_blocks: Any) -> list[str]:
    """Problems with a message's `blocks`; empty when Slack would accept them."""
    blocks = _parse(raw_blocks)
    if not isinstance(blocks, list):
        return ["blocks must be a JSON array"]
    if len(blocks) > MAX_MESSAGE_BLOCKS:
        return [f"{len(blocks)} blocks; a message takes at most {MAX_MESSAGE_BLOCKS}"]
    return _check_blocks(blocks) + _file_input_problems(blocks, in_modal=False)


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
    in_modal = view.get("type") == "modal"
    return problems + _check_blocks(blocks) + _file_input_problems(blocks, in_modal=in_modal)
