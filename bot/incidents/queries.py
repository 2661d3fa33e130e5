"""Reading issues: by id, key or channel, lists for a person, the timeline, recent
deploys, and where their playbook steps stand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, func, select

from bot.core.errors import FirebellError
from bot.core.membership import member_of
from bot.incidents.rules import open_issues
from bot.playbooks.model import Playbook
from storage.db import Database
from storage.models import Deploy, Issue, StepState, TimelineEvent

LIST_LIMIT = 30
TIMELINE_FIRST = 10  # the beginning: filing, channel, first steps
TIMELINE_LATEST = 30  # and where it is now


def get_issue(db: Database, issue_id: int) -> Issue:
    with db.session() as session:
        issue = session.get(Issue, issue_id)
    if issue is None:
        raise FirebellError("That issue no longer exists.")
    return issue


def issue_by_number(db: Database, number: int) -> Issue:
    with db.session() as session:
        issue = session.exec(select(Issue).where(Issue.number == number)).first()
    if issue is None:
        raise FirebellError(f"There is no INC-{number}.")
    return issue


def issue_in_channel(db: Database, channel_id: str) -> Issue | None:
    with db.session() as session:
        return session.exec(select(Issue).where(Issue.channel_id == channel_id)).first()


def resolve_issue(db: Database, number: int | None, channel_id: str | None, command: str) -> Issue:
    """The issue a command is about: INC-n if given, else the issue of this channel."""
    if number is not None:
        return issue_by_number(db, number)
    issue = issue_in_channel(db, channel_id) if channel_id else None
    if issue is None:
        raise FirebellError(
            f"Run this in an issue's channel, or name the issue: `/incident {command} INC-42 …`"
        )
    return issue


def list_issues(db: Database, scope: str, user_id: str) -> list[Issue]:
    """open: every open issue; mine: open ones I am a member of; all: any."""
    with db.session() as session:
        stmt = select(Issue)
        if scope in {"open", "mine"}:
            stmt = stmt.where(open_issues())
        if scope == "mine":
            stmt = stmt.where(member_of(user_id))
        stmt = stmt.order_by(col(Issue.number).desc()).limit(LIST_LIMIT * 3)
        return list(session.exec(stmt))


@dataclass(frozen=True)
class TimelineExcerpt:
    """The first and the latest events of a timeline, and how many lie between them."""

    first: list[TimelineEvent]
    latest: list[TimelineEvent]
    total: int

    @property
    def left_out(self) -> int:
        return self.total - len(self.first) - len(self.latest)


def timeline(db: Database, issue_id: int) -> TimelineExcerpt:
    """How the issue began and where it is now: the filing, its channel and first
    warnings stay in view however long the timeline grows."""
    order = (col(TimelineEvent.at), col(TimelineEvent.id))
    with db.session() as session:
        mine = select(TimelineEvent).where(TimelineEvent.issue_id == issue_id)
        total = session.exec(
            select(func.count())
            .select_from(TimelineEvent)
            .where(TimelineEvent.issue_id == issue_id)
        ).one()
        first = list(session.exec(mine.order_by(*order).limit(TIMELINE_FIRST)))
        rest = min(max(total - len(first), 0), TIMELINE_LATEST)
        latest = list(session.exec(mine.order_by(*(c.desc() for c in order)).limit(rest)))[::-1]
    return TimelineExcerpt(first, latest, int(total))


def recent_deploys(
    session: Session, service: str, before: datetime, window: timedelta
) -> list[Deploy]:
    """Deploys to a service in the window before a moment, newest first."""
    return list(
        session.exec(
            select(Deploy)
            .where(
                Deploy.service == service,
                col(Deploy.deployed_at) <= before,
                col(Deploy.deployed_at) >= before - window,
            )
            .order_by(col(Deploy.deployed_at).desc())
        )
    )


def step_states(session: Session, issue_id: int) -> dict[str, StepState]:
    rows = session.exec(select(StepState).where(StepState.issue_id == issue_id))
    return {row.step_id: row for row in rows}


def unfinished_required(
    session: Session, issue: Issue, playbook: Playbook, phase: str
) -> list[str]:
    """Required steps of a phase that are neither done nor skipped."""
    assert issue.id is not None
    states = step_states(session, issue.id)
    return [s.id for s in playbook.steps(phase) if s.required and s.id not in states]
