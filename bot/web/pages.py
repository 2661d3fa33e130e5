"""What the pages show, read in the database's threads (`db.run`); plain data for Jinja.

Lists and visibility come from their one home (incidents/queries.py, core/membership.py),
timeline words from core/timeline.py: nothing here decides who sees what.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlencode

from sqlmodel import col, func, select

from bot.core.domain import Severity, Status, label
from bot.core.durations import rough_age
from bot.core.errors import FirebellError
from bot.core.membership import member_of, roles_of, visible_to
from bot.core.reporters import is_person, tool_name
from bot.core.reporters import source_of as reporter_source
from bot.core.timeline import event_words
from bot.incidents.card_context import VIA_NAMES, VIA_WEB_FORM, came_via, context_lines
from bot.incidents.card_extras import CardSettings, card_extras
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.queries import issue_by_number, list_issues
from bot.incidents.rules import TRANSITIONS
from bot.incidents.status_words import since
from bot.sla.clocks import clocks_by_issue
from bot.triage.search import SearchIndex, find_issues
from storage.db import Database
from storage.models import AlertGroup, Issue, TimelineEvent
from storage.sla_models import SlaClock

FILTERS = ("status", "severity", "service", "type", "source")
OPEN_STATUSES = [s.value for s in Status if s != Status.CLOSED]
SEVERITIES = [s.value for s in Severity]
PEOPLE = "people"  # the source filter's value for issues a person reported
WEB_FORM = "web form"  # ... and for those a person filed with the web form (/report)
PAGE_SIZE = 50  # timeline events a page
# Firebell's own bookkeeping: folded away on the issue page unless asked for (`?all=1`).
PLUMBING = frozenset(
    k.value
    for k in (
        IncidentEvent.CARD_POSTED,
        IncidentEvent.CARD_PINNED,
        IncidentEvent.REPORTER_NOTIFIED,
        IncidentEvent.SOURCE_REPLIED,
        IncidentEvent.NEXT_STATUS_PROPOSED,
    )
)
MENTION = re.compile(r"<@([UW][A-Z0-9]+)>")


def source_of(issue: Issue) -> str:
    """Who filed it: people in Slack, people with the web form, or the tool's source
    name (an alert's)."""
    if not is_person(issue.reporter_id):
        return reporter_source(issue.reporter_id)
    return WEB_FORM if came_via(issue.context) == VIA_NAMES[VIA_WEB_FORM] else PEOPLE


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
    type: str = ""
    source: str = ""
    sla: str = ""  # "SLA breached", "SLA warned", "SLA ok" or "" (no clock running)
    owner_id: str | None = None


@dataclass(frozen=True)
class Column:
    """One open status's column on the board: its heading and its cards."""

    status: str
    label: str
    rows: list[Row]


@dataclass
class Board:
    rows: list[Row]
    private_hidden: str | None
    chosen: dict[str, str]
    services: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=lambda: OPEN_STATUSES)
    severities: list[str] = field(default_factory=lambda: SEVERITIES)
    types: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    mine: bool = False
    closed: bool = False
    query: str = ""
    view: str = "columns"  # or "table" (`?view=table`)

    @property
    def columns(self) -> list[Column]:
        """Open issues by status (New, Assigned, Revise, Retest, Fixed); only the chosen
        status's column when the status filter is set."""
        chosen = self.chosen.get("status")
        wanted = [chosen] if chosen in OPEN_STATUSES else OPEN_STATUSES
        return [Column(s, label(s), [r for r in self.rows if r.status == label(s)]) for s in wanted]

    def url(self, **change: str) -> str:
        """The board's address with these filters (and view) changed, the others kept."""
        query = {k: v for k, v in self.chosen.items() if v}
        if self.view != "columns":
            query["view"] = self.view
        query.update(change)
        kept = {k: v for k, v in query.items() if v and not (k == "view" and v == "columns")}
        return "/?" + urlencode(kept) if kept else "/"

    @property
    def user_ids(self) -> set[str]:
        return {r.owner_id for r in self.rows if r.owner_id and is_person(r.owner_id)}


def person(user_id: str | None) -> str:
    """A Slack user id as shown on a page (ids until names are looked up), or a tool."""
    if not user_id:
        return "nobody"
    return user_id if is_person(user_id) else tool_name(user_id)


def sla_badge(clocks: list[SlaClock], now: datetime) -> str:
    """The words of an issue's SLA state (the badge is never colour alone)."""
    running = [c for c in clocks if c.stopped_at is None]
    if not running:
        return ""
    if any(c.breached_at is not None or c.due_at <= now for c in running):
        return "SLA breached"
    if any(c.warned_at is not None or c.warn_at <= now for c in running):
        return "SLA warned"  # a warning was sent, or is due
    return "SLA ok"


def _row(issue: Issue, now: datetime, clocks: list[SlaClock] | None = None) -> Row:
    owner = issue.assignee_id or issue.commander_id
    return Row(
        key=str(issue.key),
        title=issue.title,
        severity=label(issue.severity),
        priority=label(issue.priority) if issue.priority else "",
        status=label(issue.status),
        service=issue.service or "",
        owner=person(owner),
        age=rough_age(now - issue.created_at),
        private=issue.private,
        type=label(issue.type),
        source=_source_name(source_of(issue)),
        sla=sla_badge(clocks or [], now) if issue.status != Status.CLOSED else "",
        owner_id=owner,
    )


def _source_name(source: str) -> str:
    if source == PEOPLE:
        return "Person"
    return VIA_NAMES[VIA_WEB_FORM] if source == WEB_FORM else tool_name(source)


def _closed(db: Database, user_id: str, mine: bool) -> list[Issue]:
    with db.session() as session:
        stmt = select(Issue).where(Issue.status == Status.CLOSED.value)
        if mine:
            stmt = stmt.where(member_of(user_id))
        return list(session.exec(stmt.order_by(col(Issue.number).desc()).limit(150)))


def _matches(issue: Issue, chosen: dict[str, str]) -> bool:
    for f in FILTERS:
        want = chosen.get(f)
        if not want or (f == "status" and want == Status.CLOSED.value):
            continue
        have = source_of(issue) if f == "source" else (getattr(issue, f) or "")
        if have != want:
            return False
    return True


def _board(
    db: Database, found: list[Issue], user_id: str, chosen: dict[str, str], now: datetime
) -> Board:
    seen = visible_to(db, found, user_id)
    shown = [i for i in seen.shown if _matches(i, chosen)]
    clocks = clocks_by_issue(db, [i.id for i in shown if i.id is not None])
    return Board(
        [_row(i, now, clocks.get(i.id or 0)) for i in shown],
        seen.note(),
        chosen,
        services=sorted({i.service for i in seen.shown if i.service}),
        types=sorted({i.type for i in seen.shown}),
        sources=sorted({source_of(i) for i in seen.shown}),
        mine=bool(chosen.get("mine")),
        closed=chosen.get("status") == Status.CLOSED.value,
    )


def board(db: Database, user_id: str, chosen: dict[str, str], now: datetime) -> Board:
    """The open issues `user_id` may see (or the closed ones, `status=closed`), filtered
    by the query string's choices; `mine`: those they are a member of."""
    mine = bool(chosen.get("mine"))
    if chosen.get("status") == Status.CLOSED.value:
        found = _closed(db, user_id, mine)
    else:
        found = list_issues(db, "mine" if mine else "open", user_id)
    return _board(db, found, user_id, chosen, now)


def search(
    db: Database,
    index: SearchIndex,
    query: str,
    user_id: str,
    chosen: dict[str, str],
    now: datetime,
) -> Board:
    """The full-text search (triage/search.py) under the visibility rule: a private issue
    a reader may not see is left out, not even counted (a count would say it matches)."""
    found = find_issues(db, index, query) if query.strip() else []
    if chosen.get("mine"):
        with db.session() as session:
            ids = [i.id for i in found if i.id is not None]
            mine = (
                set(
                    session.exec(select(Issue.id).where(col(Issue.id).in_(ids), member_of(user_id)))
                )
                if ids
                else set()
            )
        found = [i for i in found if i.id in mine]
    if chosen.get("status"):
        found = [i for i in found if i.status == chosen["status"]]
    result = _board(db, found, user_id, chosen, now)
    result.private_hidden = None
    result.query = query
    result.statuses = [s.value for s in Status]
    return result


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    words: str
    actor_id: str | None = None


@dataclass(frozen=True)
class Clock:
    kind: str
    due: datetime
    state: str  # breached, due soon, on time, stopped


@dataclass(frozen=True)
class Alert:
    title: str
    source: str
    status: str
    occurrences: int
    first_seen: datetime
    last_seen: datetime


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
    clocks: list[Clock] = field(default_factory=list)
    participants: list[tuple[str, list[str]]] = field(default_factory=list)
    alerts: list[Alert] = field(default_factory=list)
    deploys: list[str] = field(default_factory=list)
    duplicates: list[tuple[str, list[str]]] = field(default_factory=list)
    related: list[str] = field(default_factory=list)
    merged_into: str | None = None
    moves: list[str] = field(default_factory=list)  # statuses it may move to
    page: int = 1
    pages: int = 1
    events: int = 0
    folded: int = 0  # plumbing events left out of the count
    everything: bool = False
    sent_from: list[tuple[str, str]] = field(default_factory=list)  # a report's context

    @property
    def user_ids(self) -> set[str]:
        ids = {u for u, _roles in self.participants}
        ids |= {self.issue.reporter_id, self.issue.commander_id or "", self.issue.assignee_id or ""}
        for line in self.lines:
            ids |= {line.actor_id or ""} | set(MENTION.findall(line.words))
        return {i for i in ids if i and is_person(i)}


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
        event.actor_id,
    )


def clock_state(clock: SlaClock, now: datetime) -> str:
    if clock.stopped_at is not None:
        return "met" if clock.breached_at is None else "breached, then stopped"
    if clock.breached_at is not None or clock.due_at <= now:
        return "breached"
    if clock.warned_at is not None or clock.warn_at <= now:
        return "due soon"
    return "on time"


def _timeline_page(
    db: Database, issue_id: int, page: int, everything: bool
) -> tuple[list[TimelineEvent], int, int]:
    """One page of the timeline, oldest first (as Slack's), and how many events are shown
    and folded away in all."""
    with db.session() as session:
        mine = TimelineEvent.issue_id == issue_id
        shown = [mine] if everything else [mine, col(TimelineEvent.kind).not_in(PLUMBING)]
        count = select(func.count()).select_from(TimelineEvent)
        total = int(session.exec(count.where(*shown)).one())
        folded = 0 if everything else int(session.exec(count.where(mine)).one()) - total
        rows = session.exec(
            select(TimelineEvent)
            .where(*shown)
            .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        return list(rows), total, folded


def issue_page(
    db: Database,
    number: int,
    user_id: str,
    now: datetime,
    page: int = 1,
    everything: bool = False,
    card: CardSettings | None = None,
) -> IssuePage | None:
    issue = visible_issue(db, number, user_id)
    if issue is None or issue.id is None:
        return None
    events, total, folded = _timeline_page(db, issue.id, max(page, 1), everything)
    clocks = clocks_by_issue(db, [issue.id]).get(issue.id, [])
    extras = card_extras(db, card or CardSettings(), issue)
    with db.session() as session:
        roles = roles_of(session, issue)
        groups = session.exec(
            select(AlertGroup)
            .where(AlertGroup.issue_id == issue.id)
            .order_by(col(AlertGroup.first_seen))
            .limit(50)
        ).all()
    return IssuePage(
        issue=issue,
        row=_row(issue, now, clocks),
        since=since(issue, now),
        reporter=person(issue.reporter_id),
        commander=person(issue.commander_id),
        assignee=person(issue.assignee_id),
        lines=[_line(e) for e in events],
        left_out=0,
        acknowledged=issue.acknowledged_at is not None,
        clocks=[
            Clock(c.kind, c.due_at, clock_state(c, now))
            for c in sorted(clocks, key=lambda c: c.due_at)
        ],
        participants=sorted(roles.items()),
        alerts=[
            Alert(g.title, tool_name(g.source), g.status, g.occurrences, g.first_seen, g.last_seen)
            for g in groups
        ],
        deploys=[
            f"{d.service} {d.version} ({d.environment}) at {d.deployed_at:%Y-%m-%d %H:%M}"
            for d in extras.deploys
        ],
        duplicates=[(str(k), reasons) for k, reasons in extras.duplicates],
        related=[str(k) for k in extras.related],
        merged_into=str(extras.merged_into) if extras.merged_into else None,
        moves=[s.value for s in TRANSITIONS[Status(issue.status)]],
        page=max(page, 1),
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        events=total,
        folded=folded,
        everything=everything,
        sent_from=context_lines(issue.context),
    )
