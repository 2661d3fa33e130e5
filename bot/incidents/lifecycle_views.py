"""Messages and modals of an issue's life: proposals, reporter updates, small forms."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from bot.core.blocks import button, clip, context, escape, plain, section, slack_date
from bot.core.domain import Severity, Status, label
from bot.core.ids import Action, Callback, ModalField
from bot.incidents.report_modal import SEVERITY_HINTS
from bot.incidents.status_words import for_reporter, small_print


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


def proposal_taken(issue: Any, target: str, user_id: str) -> tuple[str, list[dict[str, Any]]]:
    """The proposal once its button was used: who did what, and no button left."""
    text = f"<@{user_id}> moved {issue.key} to *{label(target)}*."
    return text, [section(text)]


def web_line(web_link: str | None) -> list[dict[str, Any]]:
    """The link to the issue's page in the web app (none when it has no address)."""
    if not web_link:
        return []
    return [context(f"<{escape(web_link)}|Open in Firebell's web app>")]


def reporter_update(
    issue: Any, before: str, after: str, summary: str | None, web_link: str | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """What the move means for the reporter, in words; the status word in small print."""
    text = f"*{issue.key}* ({escape(issue.title)}): {for_reporter(before, after)}"
    if after == Status.CLOSED and summary:
        text += f"\n*Resolution:* {escape(clip(summary, 2000))}"
    blocks = [
        section(text),
        context(small_print(before, after)),
        *web_line(web_link),
        {
            "type": "actions",
            "block_id": "reporter_updates",
            "elements": [
                button("Stop these updates", Action.REPORTER_UPDATES_OFF, str(issue.id)),
            ],
        },
    ]
    return f"{clip(text, 2900)} ({label(after)})", blocks


def reporter_news(
    issue: Any,
    text: str,
    impact: str | None,
    next_in: int | None,
    at: datetime,
    web_link: str | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """A status update, as the reporter gets it by DM."""
    body = f"*Update on {issue.key}* ({escape(clip(issue.title, 150))})\n{escape(clip(text, 2500))}"
    if impact:
        body += f"\n*Customer impact:* {escape(clip(impact, 400))}"
    lines = [section(body)]
    if next_in:
        due = at + timedelta(seconds=next_in)
        lines.append(context(f"Next update by {slack_date(due)}."))
    lines += web_line(web_link)
    lines.append(
        {
            "type": "actions",
            "block_id": "reporter_updates",
            "elements": [
                button("Stop these updates", Action.REPORTER_UPDATES_OFF, str(issue.id)),
            ],
        }
    )
    return clip(f"Update on {issue.key}: {escape(text)}", 3000), lines


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


# "Next update in": the choices a responder makes, and what the update clock then is.
NEXT_UPDATE_CHOICES = {
    "15m": "15 minutes",
    "30m": "30 minutes",
    "1h": "1 hour",
    "2h": "2 hours",
    "4h": "4 hours",
}


def update_modal(
    issue_id: int, key: str, next_default: str = "30m", publishable: bool = False
) -> dict[str, Any]:
    """What is happening, the customer impact, and when the next update is due; with
    `publishable` (a status page is set up and the issue is not private) a choice to
    publish the same words to the public status page."""
    options = [
        {"text": plain(words, 75), "value": value} for value, words in NEXT_UPDATE_CHOICES.items()
    ]
    initial = next((o for o in options if o["value"] == next_default), options[1])
    impact = _text_block(ModalField.UPDATE_IMPACT, "Customer impact", 1000)
    impact["optional"] = True
    impact["hint"] = plain("Who is affected and how, in words a customer would use.", 150)
    next_update = {
        "type": "input",
        "block_id": ModalField.NEXT_UPDATE.value,
        "label": plain("Next update in", 2000),
        "element": {
            "type": "static_select",
            "action_id": ModalField.NEXT_UPDATE.value,
            "options": options,
            "initial_option": initial,
        },
    }
    blocks = [_text_block(ModalField.UPDATE_TEXT, "What is happening?", 3000), impact, next_update]
    if publishable:
        blocks.append(publish_choice())
    return _modal(Callback.UPDATE_MODAL, f"Update {key}", "Post", {"issue": issue_id}, blocks)


def publish_choice() -> dict[str, Any]:
    field = ModalField.UPDATE_PUBLISH.value
    option = {
        "text": plain("Publish to the status page", 75),
        "description": plain("Customers read “What is happening?” on the public page.", 75),
        "value": field,
    }
    return {
        "type": "input",
        "block_id": field,
        "optional": True,
        "label": plain("Status page", 2000),
        "element": {"type": "checkboxes", "action_id": field, "options": [option]},
    }


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
