"""The checks on an edited review, one home for the Slack modal and the web page's form:
every problem at once, keyed by the field's name (`root_cause`, `action_due2`, ...)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from bot.core.ids import ModalField
from bot.incidents.report_form import FormErrors
from bot.reviews.content import ActionItem, root_cause_missing

MAX_FACTORS = 20
OWNER = re.compile(r"[UW][A-Z0-9]{1,30}")


@dataclass(frozen=True)
class ActionRow:
    """One action row as typed: a title, an owner's user id, a due date (YYYY-MM-DD)."""

    title: str = ""
    owner: str = ""
    due: str = ""


def factor_lines(text: str) -> list[str]:
    """Contributing factors, one a line, with list marks taken off."""
    return [line.strip("-• ").strip() for line in text.splitlines() if line.strip()][:MAX_FACTORS]


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def check_edit(
    root: str, factors: str, rows: list[ActionRow], today: date
) -> tuple[str, list[str], list[ActionItem]]:
    """What `Reviews.edit` takes, or FormErrors with every problem at once."""
    errors: dict[str, str] = {}
    if root_cause_missing(root):
        errors[ModalField.ROOT_CAUSE.value] = (
            "Write the root cause (or what is known of it so far)."
        )
    actions = []
    for number, row in enumerate(rows, start=1):
        title_field = f"{ModalField.ACTION_TITLE.value}{number}"
        owner_field = f"{ModalField.ACTION_OWNER.value}{number}"
        due_field = f"{ModalField.ACTION_DUE.value}{number}"
        title = row.title.strip()
        if not title:
            if row.owner or row.due:  # never drop what was chosen for a row without its action
                errors[title_field] = "Say what the action is, or clear its owner and date."
            continue
        due_on = _day(row.due)
        if not OWNER.fullmatch(row.owner):  # a Slack user id, as the user picker gives
            errors[owner_field] = "Choose who owns this action."
        if due_on is None:
            errors[due_field] = "Choose when this action is due."
        elif due_on < today:
            errors[due_field] = f"Pick today ({today.isoformat()}) or a later day for a new action."
        if OWNER.fullmatch(row.owner) and due_on is not None:
            actions.append(ActionItem(title=title, owner=row.owner, due_date=due_on))
    if errors:
        raise FormErrors(errors)
    return root, factor_lines(factors), actions
