"""The per-issue times: both ends recorded, or none; a deploy stamped before Fixed is zero."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.incidents.issue_figures import (
    TIME_TO_ACKNOWLEDGE,
    TIME_TO_DEPLOY,
    TIME_TO_FIX,
    TIME_TO_RESOLVE,
)
from storage.models import Issue

FILED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def issue(**times: datetime | None) -> Issue:
    return Issue(number=1, title="t", reporter_id="U1", created_at=FILED, **times)


def test_each_time_runs_between_its_two_transitions() -> None:
    found = issue(
        acknowledged_at=FILED + timedelta(minutes=5),
        fixed_at=FILED + timedelta(minutes=40),
        deployed_at=FILED + timedelta(minutes=70),
    )
    assert TIME_TO_ACKNOWLEDGE.seconds(found) == 300
    assert TIME_TO_FIX.seconds(found) == 2400
    assert TIME_TO_DEPLOY.seconds(found) == 1800  # from the fix, never from filing
    assert TIME_TO_RESOLVE.seconds(found) == 4200
    assert TIME_TO_DEPLOY.text(found) == "30m"


def test_a_missing_end_is_no_time_and_a_deploy_before_the_fix_is_zero() -> None:
    fixed = FILED + timedelta(minutes=40)
    assert TIME_TO_DEPLOY.seconds(issue(fixed_at=fixed)) is None
    raced = issue(fixed_at=fixed, deployed_at=fixed - timedelta(microseconds=3))
    assert TIME_TO_DEPLOY.seconds(raced) == 0.0
    assert TIME_TO_DEPLOY.text(raced) == "less than a minute"
    closed = issue(fixed_at=fixed, closed_at=fixed + timedelta(hours=1))
    assert TIME_TO_RESOLVE.seconds(closed) == 6000  # Closed when no deploy is recorded
