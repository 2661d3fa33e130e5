"""Messages and modals of an issue's life: proposals, reporter updates, small forms."""

from __future__ import annotations

import json
from typing import Any

from bot.core.blocks import button, clip, escape, plain, section
from bot.core.domain import Severity, Status, label
from bot.core.ids import Action, Callback, ModalField
from bot.incidents.report_modal import SEVERITY_HINTS


def proposal_message(issue: Any, target: str, phase: str) -> tuple[str, list[dict[str, Any]]]:
    """Offer the next status once a phase's required steps are finished."""
    text = f"All required {phase} steps of {issue.key} are finished. Move it to *{label(target)}*?"
    blocks = [
        section(text),
        {
            "type": "actions",
            "block_id": "proposal",
            "elements": [
                button(
                    f"Move to {label(target)}",
                    Action.MOVE_STATUS,
                    f"{issue.id}:{target}",
                    "primary",
                ),
            ],
        },
    ]
    return text, blocks


def reporter_update(
    issue: Any, before: str, after: str, summary: str | None
) -> tuple[str, list[dict[str, Any]]]:
    if after == Status.CLOSED:
        text = f"*{issue.key}* ({escape(issue.title)}) is closed."
        if summary:
            text += f"\n*Resolution:* {escape(clip(summary, 2000))}"
    else:
        text = (
            f"*{issue.key}* ({escape(issue.title)}) moved from {label(before)} to *{label(after)}*."
        )
    blocks = [
        section(text),
        {
            "type": "actions",
            "block_id": "reporter_updates",
            "elements": [
                button("Stop these updates", Action.REPORTER_UPDATES_OFF, str(issue.id)),
            ],
        },
    ]
    return clip(text, 3000), blocks


def _modal(
    callback: Callback,
    title: str,
    submit: str,
    metadata: dict[str, Any],
    blocks: list[dict[str, Any]],
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback.value,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps(metadata),
        "blocks": blocks,
    }


def _text_block(
    field: ModalField, label_text: str, max_length: int, multiline: bool = True
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": field.value,
        "label": plain(label_text, 2000),
        "element": {
            "type": "plain_text_input",
            "action_id": field.value,
            "multiline": multiline,
            "max_length": max_length,
        },
    }


def update_modal(issue_id: int, key: str) -> dict[str, Any]:
    return _modal(
        Callback.UPDATE_MODAL,
        f"Update {key}",
        "Post",
        {"issue": issue_id},
        [_text_block(ModalField.UPDATE_TEXT, "What is the status now?", 3000)],
    )


def severity_modal(issue_id: int, key: str, current: str) -> dict[str, Any]:
    options = [
        {
            "text": plain(label(s.value), 75),
            "value": s.value,
            "description": plain(SEVERITY_HINTS[s], 75),
        }
        for s in Severity
    ]
    select = {
        "type": "static_select",
        "action_id": ModalField.SEVERITY.value,
        "options": options,
        "initial_option": next(o for o in options if o["value"] == current),
    }
    block = {
        "type": "input",
        "block_id": ModalField.SEVERITY.value,
        "label": plain("Severity", 2000),
        "element": select,
    }
    return _modal(
        Callback.SEVERITY_MODAL, f"Severity of {key}", "Change", {"issue": issue_id}, [block]
    )


def skip_modal(issue_id: int, step_id: str, step_text: str) -> dict[str, Any]:
    return _modal(
        Callback.SKIP_MODAL,
        "Skip a step",
        "Skip",
        {"issue": issue_id, "step": step_id},
        [
            section(f"*{escape(step_text)}*"),
            _text_block(ModalField.REASON, "Why is it skipped?", 500),
        ],
    )


def answer_modal(issue_id: int, step_id: str, step_text: str, question: str) -> dict[str, Any]:
    return _modal(
        Callback.ANSWER_MODAL,
        "Complete a step",
        "Done",
        {"issue": issue_id, "step": step_id},
        [section(f"*{escape(step_text)}*"), _text_block(ModalField.ANSWER, question, 3000)],
    )
