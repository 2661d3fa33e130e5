"""Every button re-checks, on the server, that the person pressing it may see each
issue its value names, as every command does (`CommandRequest.issue`).

A button's value comes back from Slack signed but not checked: it may be from an
old message, or made up by someone who may not see the issue it names. So before
any button runs, the issues its value names are read through `carried.py` and the
one visibility rule (`core/membership.py`) is asked; whether the person may *act*
on a visible issue stays with the service the button calls (the same one a
command calls). Registered for every button in `handlers/__init__.py`.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core.ids import Action
from bot.core.membership import require_can_see
from bot.handlers.carried import issue_id_of, other_issue_id_of, row_id
from bot.incidents.queries import get_issue
from bot.serving.runtime import Runtime

Check = Callable[[Runtime, str, str], None]


def _the_issue(_runtime: Runtime, value: str) -> list[int]:
    return [issue_id_of(value)]


def _both_issues(_runtime: Runtime, value: str) -> list[int]:
    return [issue_id_of(value), other_issue_id_of(value)]


def _followup_issue(runtime: Runtime, value: str) -> list[int]:
    return [runtime.followups.issue_of(row_id(value))]


def _nothing(_runtime: Runtime, _value: str) -> list[int]:
    return []  # a link button: Slack opens the link, Firebell only acks


# What each value names, where it is not `<issue id>` or `<issue id>:<detail>`.
NAMED_BY: dict[Action, Callable[[Runtime, str], list[int]]] = {
    Action.MERGE_DUPLICATE: _both_issues,
    Action.NOT_DUPLICATE: _both_issues,
    Action.MERGE_ADD_REPORTERS: _both_issues,
    Action.MERGE_KEEP_REPORTERS_OUT: _both_issues,
    Action.FOLLOWUP_DONE: _followup_issue,
    Action.OPEN_CHANNEL: _nothing,
}


def visibility_check(action: Action) -> Check:
    """The check run before `action`'s button: a FirebellError when the value is not
    Firebell's, an issue is gone, or the person may not see one of its issues."""
    named_by = NAMED_BY.get(action, _the_issue)

    def check(runtime: Runtime, user_id: str, value: str) -> None:
        for issue_id in named_by(runtime, value):
            require_can_see(runtime.db, get_issue(runtime.db, issue_id), user_id)

    return check
