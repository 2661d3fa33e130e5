"""The rules of an issue's life: allowed transitions, phases, who may steer."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam
from sqlmodel import col

from bot.core.domain import Status, label
from bot.core.errors import FirebellError
from bot.core.people import Actor
from bot.playbooks.model import Phase
from storage.models import Issue

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.NEW: (Status.ASSIGNED,),
    Status.ASSIGNED: (Status.REVISE,),
    Status.REVISE: (Status.RETEST,),
    Status.RETEST: (Status.REVISE, Status.FIXED),
    Status.FIXED: (Status.CLOSED, Status.ASSIGNED),  # Fixed -> Assigned is a reopen
    Status.CLOSED: (Status.ASSIGNED,),  # reopen
}

PHASE_OF: dict[Status, Phase] = {
    Status.NEW: Phase.DETECTION,
    Status.ASSIGNED: Phase.RESPONSE,
    Status.REVISE: Phase.RESOLUTION,
    Status.RETEST: Phase.RESOLUTION,
    # Fixed ends resolution and starts analysis, which lasts until Closed.
    Status.FIXED: Phase.ANALYSIS,
    Status.CLOSED: Phase.ANALYSIS,
}

# The status to propose once a phase's required steps are done.
NEXT_STATUS: dict[Status, Status] = {
    Status.NEW: Status.ASSIGNED,
    Status.ASSIGNED: Status.REVISE,
    Status.REVISE: Status.RETEST,
    Status.RETEST: Status.FIXED,
    Status.FIXED: Status.CLOSED,
}

OPEN_STATUSES = (Status.NEW, Status.ASSIGNED, Status.REVISE, Status.RETEST, Status.FIXED)


def open_issues() -> ColumnElement[bool]:
    """Issues not closed, as a condition with the statuses written into the SQL: the
    planners then match the partial index ix_issues_open (SQLite never matches a bound
    parameter to an index's WHERE), so open issues are read without the closed history."""
    statuses = [s.value for s in OPEN_STATUSES]
    return col(Issue.status).in_(
        bindparam("open_statuses", statuses, expanding=True, literal_execute=True, unique=True)
    )


def is_open(issue: Issue) -> bool:
    """Open: not Closed (a Fixed issue is still open: it can take a merge or a reopen)."""
    return Status(issue.status) in OPEN_STATUSES


def check_transition(issue: Issue, target: Status) -> None:
    current = Status(issue.status)
    if target == current:
        raise FirebellError(f"{issue.key} is already {label(target)}.")
    allowed = TRANSITIONS[current]
    if target not in allowed:
        options = " or ".join(f"`{s.value}`" for s in allowed)
        raise FirebellError(
            f"{issue.key} is {label(current)}; from there it can move to {options}, "
            f"not {label(target)}."
        )


def is_unowned(issue: Issue) -> bool:
    return not issue.commander_id and not issue.assignee_id


def can_steer(issue: Issue, actor: Actor) -> bool:
    return actor.is_admin or actor.user_id in {issue.commander_id, issue.assignee_id}


def require_steer(issue: Issue, actor: Actor, doing: str) -> None:
    """Only the commander, the assignee or an admin steer an issue; say who can."""
    if can_steer(issue, actor):
        return
    if is_unowned(issue):
        raise FirebellError(
            f"Nobody leads {issue.key} yet, so only an admin can {doing}. "
            f"Take it with `/incident ack` first."
        )
    who = []
    if issue.commander_id:
        who.append(f"the commander <@{issue.commander_id}>")
    if issue.assignee_id and issue.assignee_id != issue.commander_id:
        who.append(f"the assignee <@{issue.assignee_id}>")
    raise FirebellError(f"Only {', '.join(who)} or an admin can {doing} on {issue.key}.")


def require_take_or_steer(issue: Issue, actor: Actor, doing: str) -> None:
    """Anyone may take an issue nobody leads; after that, only those who steer it."""
    if not is_unowned(issue):
        require_steer(issue, actor, doing)
