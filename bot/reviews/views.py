"""A review in Slack: sections within Block Kit's limits, Edit and Publish, the edit form."""

from __future__ import annotations

import json
from typing import Any

from bot.core.blocks import (
    button,
    clip,
    context,
    escape,
    escape_keep_mentions,
    header,
    plain,
    section,
)
from bot.core.ids import Action, Callback, ModalField
from bot.reviews.content import SECTION_TITLES, ReviewContent

CHUNK = 2900  # a section takes 3000 characters
MAX_BLOCKS = 48  # of Slack's 50, two are kept for the closing context and buttons
ACTION_ROWS = 3


def _text(name: str, value: Any, people: frozenset[str]) -> str:
    def shown(text: str) -> str:
        return escape_keep_mentions(text, people)

    if name == "timeline":
        return "\n".join(f"• *{shown(e.time)}* {shown(e.event)}" for e in value) or "_None._"
    if name == "action_items":
        return (
            "\n".join(
                f"• {shown(i.title)} – owner "
                f"{f'<@{i.owner}>' if i.owner else 'unassigned'}, due "
                f"{i.due_date or 'no date'}, {i.priority}"
                for i in value
            )
            or "_None yet: add them with Edit._"
        )
    if isinstance(value, list):
        return "\n".join(f"• {shown(v)}" for v in value) or "_None recorded._"
    return shown(value) or "_Not recorded._"


def _chunks(text: str) -> list[str]:
    parts, rest = [], text
    while len(rest) > CHUNK:
        cut = rest.rfind("\n", 0, CHUNK)
        cut = cut if cut > CHUNK // 2 else CHUNK
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    return [*parts, rest]


def review_message(
    key: str,
    issue_id: int,
    content: ReviewContent,
    *,
    source: str,
    note: str | None,
    status: str,
    published_by: str | None = None,
    people: frozenset[str] = frozenset(),
) -> tuple[str, list[dict[str, Any]]]:
    """The review message; mentions stay live only for `people` (those in the issue)."""
    origin = (
        "Drafted by a model from the timeline; check it before publishing."
        if source == "model"
        else "Template draft, not AI-written: filled from the recorded facts only."
    )
    if note:
        origin += f" ({escape(note)})"
    blocks: list[dict[str, Any]] = [
        header(f"Post-incident review · {key}" + (" (draft)" if status == "draft" else "")),
        context(origin),
    ]
    cut = False
    for name, title in SECTION_TITLES.items():
        for number, part in enumerate(_chunks(_text(name, getattr(content, name), people))):
            if len(blocks) >= MAX_BLOCKS:
                cut = True
                break
            blocks.append(section((f"*{title}*\n" if number == 0 else "") + part))
    if cut:
        blocks.append(context("The rest is in the attached Markdown file."))
    if status == "draft":
        value = str(issue_id)
        blocks.append(
            {
                "type": "actions",
                "block_id": "review",
                "elements": [
                    button("Edit", Action.REVIEW_EDIT, value),
                    button("Publish", Action.REVIEW_PUBLISH, value, "primary"),
                ],
            }
        )
    else:
        blocks.append(context(f"Published by <@{published_by}>."))
    text = f"Post-incident review of {key} ({status})"
    return text, blocks


def offer_message(key: str, issue_id: int) -> list[dict[str, Any]]:
    return [
        section(
            f"{key} is fixed. Time for the post-incident review: Firebell drafts it from "
            "the timeline."
        ),
        {
            "type": "actions",
            "block_id": "offer_review",
            "elements": [button("Draft review", Action.REVIEW_DRAFT, str(issue_id), "primary")],
        },
    ]


def _input(
    block_id: str, label: str, element: dict[str, Any], optional: bool = True
) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": block_id,
        "optional": optional,
        "label": plain(label, 2000),
        "element": {**element, "action_id": block_id},
    }


def edit_modal(issue_id: int, key: str, content: ReviewContent) -> dict[str, Any]:
    blocks = [
        _input(
            ModalField.ROOT_CAUSE.value,
            "Root cause",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": 3000,
                "initial_value": clip(content.root_cause, 3000),
            },
            optional=False,
        ),
        _input(
            ModalField.FACTORS.value,
            "Contributing factors (one per line)",
            {
                "type": "plain_text_input",
                "multiline": True,
                "max_length": 3000,
                **(
                    {"initial_value": clip("\n".join(content.contributing_factors), 3000)}
                    if content.contributing_factors
                    else {}
                ),
            },
        ),
    ]
    for row in range(1, ACTION_ROWS + 1):
        item = content.action_items[row - 1] if len(content.action_items) >= row else None
        title: dict[str, Any] = {"type": "plain_text_input", "max_length": 200}
        owner: dict[str, Any] = {"type": "users_select"}
        due: dict[str, Any] = {"type": "datepicker"}
        if item is not None:
            title["initial_value"] = item.title
            if item.owner:
                owner["initial_user"] = item.owner
            if item.due_date:
                due["initial_date"] = item.due_date.isoformat()
        blocks += [
            section(f"*Prevention action {row}*"),
            _input(f"{ModalField.ACTION_TITLE.value}{row}", "Action", title),
            _input(f"{ModalField.ACTION_OWNER.value}{row}", "Owner", owner),
            _input(f"{ModalField.ACTION_DUE.value}{row}", "Due", due),
        ]
    return {
        "type": "modal",
        "callback_id": Callback.REVIEW_EDIT_MODAL.value,
        "title": plain(f"Review of {key}", 24),
        "submit": plain("Save", 24),
        "close": plain("Cancel", 24),
        "private_metadata": json.dumps({"issue": issue_id}),
        "blocks": blocks,
    }


def followup_dm(
    title: str, key: str, due: str | None, reason: str, followup_id: int
) -> tuple[str, list[dict[str, Any]]]:
    lead = {
        "assigned": "You own a follow-up from the review of",
        "due_soon": "Due tomorrow: your follow-up from",
        "overdue": "Overdue: your follow-up from",
    }[reason]
    text = f"{lead} {key}: *{escape(title)}* (due {due or 'no date'})."
    return text, [
        section(text),
        {
            "type": "actions",
            "block_id": "followup",
            "elements": [button("Mark done", Action.FOLLOWUP_DONE, str(followup_id), "primary")],
        },
    ]


def followups_blocks(
    rows: list[tuple[Any, Any]], mine: bool, notes: dict[int, str] | None = None
) -> list[dict[str, Any]]:
    """`notes`: mrkdwn another slice adds after a follow-up (its Jira issue's link)."""
    blocks: list[dict[str, Any]] = [header("My follow-ups" if mine else "Open follow-ups")]
    if not rows:
        blocks.append(section("None open."))
    for followup, issue in rows[:40]:
        owner = f"<@{followup.owner_id}>" if followup.owner_id else "unassigned"
        note = (notes or {}).get(followup.id)
        blocks.append(
            section(
                f"*{issue.key}* {escape(clip(followup.title, 150))} · {owner} · "
                f"due {followup.due_on or 'no date'} · {followup.priority}"
                + (f" · {note}" if note else "")
            )
        )
    return blocks
