"""What the pages show, read in the database's threads (`db.run`); plain data for Jinja.

Lists and visibility come from their one home (incidents/queries.py, core/membership.py),
timeline words from core/timeline.py: nothing here decides who sees what.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from bot.core.domain import Severity, Status, label
from bot.core.durations import rough_age
from bot.core.errors import FirebellError
from bot.core.membership import visible_to
from bot.core.reporters import is_person, tool_name
from bot.core.timeline import event_words
from bot.incidents.queries import issue_by_number, list_issues, timeline
from bot.incidents.status_words import since
from storage.db import Database
from storage.models import Issue, TimelineEvent

FILTERS = ("status", "severity", "service")
OPEN_STATUSES = [s.value for s in Status if s != Status.CLOSED]
SEVERITIES = [s.value for s in Severity]


@dataclass(frozen=True)
class Row:
    key: str
    title: str
    severity: str
    priority: str
    status: str
    service: str
    owner: str
    age: str
    private: bool


@dataclass
class Board:
    rows: list[Row]
    private_hidden: str | None
    chosen: dict[str, str]
    services: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: OPEN_STATUSES)
    severities: list[str] = field(default_factory=lambda: SEVERITIES)


def person(user_id: str | None) -> str:
    """A Slack user id as shown on a page (ids until names are looked up), or a tool."""
    if not user_id:
        return "nobody"
    return user_id if is_person(user_id) else tool_name(user_id)


def _row(issue: Issue, now: datetime) -> Row:
    return Row(
        key=issue.key,
        title=issue.title,
        severity=label(issue.severity),
        priority=label(issue.priority) if issue.priority else "",
        status=label(issue.status),
        service=issue.service or "",
        owner=person(issue.assignee_id or issue.commander_id),
        age=rough_age(now - issue.created_at),
        private=issue.private,
    )


def board(db: Database, user_id: str, chosen: dict[str, str], now: datetime) -> Board:
    """The open issues `user_id` may see, filtered by the query string's choices."""
    seen = visible_to(db, list_issues(db, "open", user_id), user_id)
    services = sorted({i.service for i in seen.shown if i.service})
    shown = [
        i
        for i in seen.shown
        if all(not chosen.get(f) or (getattr(i, f) or "") == chosen[f] for f in FILTERS)
    ]
    return Board([_row(i, now) for i in shown], seen.note(), chosen, services)


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    words: str


@dataclass
class IssuePage:
    issue: Issue
    row: Row
    since: str
    reporter: str
    commander: str
    assignee: str
    lines: list[Line]
    left_out: int
    acknowledged: bool


def visible_issue(db: Database, number: int, user_id: str) -> Issue | None:
    """The issue if it exists and `user_id` may see it; None either way (so a private
    issue reads exactly as an unknown key to a non-member)."""
    try:
        issue = issue_by_number(db, number)
    except FirebellError:  # "There is no INC-n."
        return None
    return issue if visible_to(db, [issue], user_id).shown else None


def _line(event: TimelineEvent) -> Line:
    return Line(
        event.at,
        person(event.actor_id) if event.actor_id else "Firebell",
        event_words(event, mrkdwn=False),
    )


def issue_page(db: Database, number: int, user_id: str, now: datetime) -> IssuePage | None:
    issue = visible_issue(db, number, user_id)
    if issue is None or issue.id is None:
        return None
    excerpt = timeline(db, issue.id)
    return IssuePage(
        issue=issue,
        row=_row(issue, now),
        since=since(issue, now),
        reporter=person(issue.reporter_id),
        commander=person(issue.commander_id),
        assignee=person(issue.assignee_id),
        lines=[_line(e) for e in [*excerpt.first, *excerpt.latest]],
        left_out=excerpt.left_out,
        acknowledged=issue.acknowledged_at is not None,
    )
