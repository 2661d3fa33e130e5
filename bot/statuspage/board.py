"""What the status page shows, read once for every public surface (the page, the
Statuspage-shaped JSON, the Atom feed): the components and their status, the published
incidents still open, and those resolved within `keep_resolved`.

Only issues a responder published and that are not private are read at all, so an
issue made private leaves every surface with the next request. Nothing here names a
person: an incident is its title, its words, its published updates and their times."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from bot.incidents.rules import open_issues
from bot.statuspage.config import StatusPageConfig
from bot.statuspage.posts import public_updates_of
from bot.statuspage.words import (
    COMPONENT_STATUS,
    ComponentStatus,
    Impact,
    IncidentStatus,
    impact,
    incident_status,
    worst,
)
from storage.models import Issue, StatusPost


def public_id(*parts: str) -> str:
    """A stable id in Statuspage's shape (12 lowercase letters and digits) that gives
    nothing away: a hash, never a database id or an issue number."""
    return hashlib.sha256("\0".join(("firebell-status", *parts)).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class Update:
    id: str
    status: IncidentStatus
    body: str
    at: datetime


@dataclass(frozen=True)
class Incident:
    id: str
    name: str
    status: IncidentStatus
    impact: Impact
    started_at: datetime  # when the issue was filed
    created_at: datetime  # when it was first published
    updated_at: datetime
    monitoring_at: datetime | None
    resolved_at: datetime | None
    updates: tuple[Update, ...]  # newest first, as Statuspage lists them
    components: tuple[int, ...]  # positions in Board.components

    @property
    def resolved(self) -> bool:
        return self.status == IncidentStatus.RESOLVED


@dataclass(frozen=True)
class Component:
    id: str
    name: str
    description: str | None
    status: ComponentStatus
    updated_at: datetime


@dataclass(frozen=True)
class Board:
    title: str
    page_id: str
    since: datetime  # the first publication still on record (components' created_at)
    updated_at: datetime
    indicator: Impact
    components: tuple[Component, ...]
    open: tuple[Incident, ...]  # newest first
    resolved: tuple[Incident, ...]  # most recently resolved first

    @property
    def incidents(self) -> tuple[Incident, ...]:
        return self.open + self.resolved


def read_board(session: Session, config: StatusPageConfig, now: datetime) -> Board:
    cutoff = now - config.keep_resolved
    published = select(StatusPost.issue_id)
    issues = session.exec(
        select(Issue).where(
            col(Issue.private).is_(False),
            col(Issue.id).in_(published),
            or_(open_issues(), col(Issue.closed_at) >= cutoff),
        )
    ).all()
    posts = public_updates_of(session, issues)
    since = _first_publication(session) or now
    incidents = [
        _incident(issue, posts[issue.id or 0], config)
        for issue in issues
        if posts.get(issue.id or 0)
    ]
    # A merged duplicate still open by its status (never, today) counts as resolved too.
    shown = [i for i in incidents if not i.resolved or (i.resolved_at or now) >= cutoff]
    open_ = sorted((i for i in shown if not i.resolved), key=lambda i: i.created_at, reverse=True)
    done = sorted(
        (i for i in shown if i.resolved), key=lambda i: i.resolved_at or now, reverse=True
    )
    components = tuple(
        _component(position, config, open_, shown, since)
        for position in range(len(config.components))
    )
    return Board(
        title=config.title,
        page_id=public_id("page", config.title),
        since=since,
        updated_at=max((i.updated_at for i in shown), default=since),
        indicator=worst([i.impact for i in open_]),
        components=components,
        open=tuple(open_),
        resolved=tuple(done),
    )


def _first_publication(session: Session) -> datetime | None:
    public = select(Issue.id).where(col(Issue.private).is_(False))
    first = (
        select(StatusPost.posted_at)
        .where(col(StatusPost.issue_id).in_(public))
        .order_by(col(StatusPost.posted_at))
        .limit(1)
    )
    return session.exec(first).first()


def _incident(issue: Issue, posts: list[StatusPost], config: StatusPageConfig) -> Incident:
    key = issue.idempotency_key  # stable and never shown: the ids give nothing away
    status = incident_status(issue)
    resolved_at = None
    if status == IncidentStatus.RESOLVED:
        resolved_at = issue.closed_at or posts[-1].posted_at
    watched = [p.posted_at for p in posts if p.status == IncidentStatus.MONITORING]
    monitoring_at = watched[0] if watched else None
    if monitoring_at is None and status in (IncidentStatus.MONITORING, IncidentStatus.RESOLVED):
        monitoring_at = issue.fixed_at
    updates = tuple(
        Update(public_id("update", key, str(p.id)), IncidentStatus(p.status), p.body, p.posted_at)
        for p in reversed(posts)
    )
    return Incident(
        id=public_id("incident", key),
        name=issue.title,
        status=status,
        impact=impact(issue),
        started_at=issue.created_at,
        created_at=posts[0].posted_at,
        updated_at=max([posts[-1].posted_at, *([resolved_at] if resolved_at else [])]),
        monitoring_at=monitoring_at,
        resolved_at=resolved_at,
        updates=updates,
        components=tuple(n for n, c in enumerate(config.components) if c.covers(issue.service)),
    )


def _component(
    position: int,
    config: StatusPageConfig,
    open_: list[Incident],
    shown: list[Incident],
    since: datetime,
) -> Component:
    declared = config.components[position]
    hit = [i.impact for i in open_ if position in i.components]
    touched = [i.updated_at for i in shown if position in i.components]
    return Component(
        id=public_id("component", declared.name.casefold()),
        name=declared.name,
        description=declared.description,
        status=COMPONENT_STATUS[worst(hit)] if hit else ComponentStatus.OPERATIONAL,
        updated_at=max(touched, default=since),
    )
