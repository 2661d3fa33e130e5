"""The per-issue rollup (storage IssueMetrics), written in the transaction of each
change, so figures never replay the timeline: time in each status, reopens,
Retest -> Revise loops, and the deploy the issue may have followed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from bot.core.domain import Status
from bot.incidents.hooks import IssueHooks
from bot.incidents.queries import recent_deploys
from storage.models import Issue, IssueMetrics

# The statuses whose time is kept (Closed is the end, not a wait).
TIMED = (Status.NEW, Status.ASSIGNED, Status.REVISE, Status.RETEST, Status.FIXED)


def seconds_column(status: str) -> str | None:
    return f"seconds_{status}" if status in {s.value for s in TIMED} else None


class WriteRollups(IssueHooks):
    def __init__(self, deploy_window: timedelta) -> None:
        self.deploy_window = deploy_window

    def on_filed(self, session: Session, issue: Issue) -> None:
        assert issue.id is not None
        deploys = (
            recent_deploys(session, issue.service, issue.created_at, self.deploy_window)
            if issue.service
            else []
        )
        session.add(
            IssueMetrics(
                issue_id=issue.id,
                status_since=issue.created_at,
                suspect_deploy_id=deploys[0].id if deploys else None,
            )
        )

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        assert issue.id is not None
        row = session.get(IssueMetrics, issue.id)
        if row is None:  # written at filing and by migration 0007; never lose a move
            row = IssueMetrics(issue_id=issue.id, status_since=issue.created_at)
        column = seconds_column(before)
        if column is not None:
            spent = max((at - row.status_since).total_seconds(), 0.0)
            setattr(row, column, getattr(row, column) + spent)
        row.status_since = at
        row.reopens += int(reopening)
        row.retest_revise_loops += int(before == Status.RETEST and issue.status == Status.REVISE)
        session.add(row)
