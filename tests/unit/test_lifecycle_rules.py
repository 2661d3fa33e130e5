"""Every status pair: allowed ones pass, the rest say what is allowed from here."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.domain import Status
from bot.core.errors import FirebellError
from bot.incidents.rules import (
    PHASE_OF,
    Actor,
    check_transition,
    require_steer,
    require_take_or_steer,
)
from storage.models import Issue

ALLOWED = {
    ("new", "assigned"),
    ("assigned", "revise"),
    ("revise", "retest"),
    ("retest", "revise"),
    ("retest", "fixed"),
    ("fixed", "closed"),
    ("fixed", "assigned"),
    ("closed", "assigned"),
}


def issue(status: str = "new", commander: str | None = None, assignee: str | None = None) -> Issue:
    return Issue(
        id=1,
        number=7,
        idempotency_key="k",
        title="t",
        type="bug",
        severity="minor",
        reporter_id="U1",
        status=status,
        commander_id=commander,
        assignee_id=assignee,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


@pytest.mark.parametrize("current", list(Status))
@pytest.mark.parametrize("target", list(Status))
def test_only_the_lifecycle_transitions_are_allowed(current: Status, target: Status) -> None:
    if (current.value, target.value) in ALLOWED:
        check_transition(issue(current.value), target)
        return
    with pytest.raises(FirebellError) as caught:
        check_transition(issue(current.value), target)
    if current == target:
        assert caught.value.message == f"INC-7 is already {target.value.capitalize()}."
    else:
        allowed = [t for c, t in sorted(ALLOWED) if c == current.value]
        for option in allowed:
            assert f"`{option}`" in caught.value.message


def test_phases_follow_the_status() -> None:
    assert {s.value: p.value for s, p in PHASE_OF.items()} == {
        "new": "detection",
        "assigned": "response",
        "revise": "resolution",
        "retest": "resolution",
        "fixed": "analysis",
        "closed": "analysis",
    }


def test_who_may_steer() -> None:
    led = issue("assigned", commander="UC", assignee="UA")
    require_steer(led, Actor("UC"), "x")
    require_steer(led, Actor("UA"), "x")
    require_steer(led, Actor("UZ", is_admin=True), "x")
    with pytest.raises(FirebellError, match=r"Only the commander <@UC>, the assignee <@UA> or an"):
        require_steer(led, Actor("UZ"), "close it")
    require_take_or_steer(issue("new"), Actor("UZ"), "assign it")  # nobody leads: anyone takes it
    with pytest.raises(FirebellError, match="Nobody leads INC-7 yet"):
        require_steer(issue("new"), Actor("UZ"), "close it")
