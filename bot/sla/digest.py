"""The weekly review digest: ranked open issues, SLA risk, breaches and stale issues."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlmodel import Session, col, func, select

from bot.core.business_time import DAY_NAMES
from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.domain import Severity
from bot.core.ledger import record_once
from bot.core.membership import Visible, visible_to_a_channel
from bot.incidents.reporters import reporters
from bot.incidents.rules import open_issues as not_closed
from bot.sla.config import DigestConfig
from bot.sla.kinds import DigestPost
from storage.db import Database
from storage.models import Issue, SlaClock, TimelineEvent

SEVERITY_RANK = {s.value: rank for rank, s in enumerate(reversed(list(Severity)))}
CATCH_UP = timedelta(days=1)  # a digest missed by more than this waits for next week


@dataclass(frozen=True)
class DigestContent:
    """What the digest's channel may see: public issues, and private ones as a count."""

    ranked: list[Issue]
    at_risk: list[Issue]
    breached: list[Issue]
    stale: list[tuple[Issue, datetime]]
    private: Visible = field(default_factory=lambda: Visible([]))


def last_slot(config: DigestConfig, now: datetime) -> datetime:
    """The most recent scheduled digest moment at or before `now`."""
    zone = ZoneInfo(config.timezone)
    here = now.astimezone(zone)
    back = (here.weekday() - DAY_NAMES.index(config.day)) % 7
    slot = datetime.combine(here.date() - timedelta(days=back), config.at, zone)
    return slot if slot <= now else slot - timedelta(days=7)


class Digest:
    def __init__(self, db: Database, clock: Clock, config: DigestConfig | None) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def run_if_due(self) -> bool:
        """Enqueue this week's digest once, across replicas and restarts."""
        if self.config is None:
            return False
        now = self.clock.now()
        slot = last_slot(self.config, now)
        if now - slot > CATCH_UP:
            return False
        with self.db.session() as session:
            if not record_once(session, f"digest:{slot.isoformat()}", None, "digest", now):
                return False
            enqueue(session, self.clock, DigestPost(self.config.channel), stream="digest")
        return True

    def gather(self, now: datetime) -> DigestContent:
        """The digest as of now (it is gathered when it is delivered)."""
        with self.db.session() as session:
            return self.content(session, now)

    def content(self, session: Session, now: datetime) -> DigestContent:
        assert self.config is not None
        open_issues = list(session.exec(select(Issue).where(not_closed())))
        visible = visible_to_a_channel(open_issues)
        reported_by = {i.id: max(len(reporters(session, i)), 1) for i in visible.shown}
        # Worst first; among equals, the one more people reported, then the most frequent.
        ranked = sorted(
            visible.shown,
            key=lambda i: (
                -SEVERITY_RANK[i.severity],
                -reported_by[i.id],
                -i.occurrences,
                i.created_at,
            ),
        )
        risky_ids = set(
            session.exec(
                select(SlaClock.issue_id).where(
                    col(SlaClock.warned_at).is_not(None),
                    col(SlaClock.breached_at).is_(None),
                    col(SlaClock.stopped_at).is_(None),
                )
            )
        )
        last_activity = dict(
            session.exec(
                # People's activity only: the engine's own SLA events do not make an issue alive.
                select(TimelineEvent.issue_id, func.max(TimelineEvent.at))
                .where(col(TimelineEvent.actor_id).is_not(None))
                .group_by(col(TimelineEvent.issue_id))
            ).all()
        )
        stale = [
            (i, last_activity.get(i.id or 0, i.created_at))
            for i in ranked
            if now - last_activity.get(i.id or 0, i.created_at) >= self.config.stale_after
        ]
        return DigestContent(
            ranked=ranked,
            at_risk=[i for i in ranked if i.id in risky_ids],
            breached=[i for i in ranked if i.breached_at is not None],
            stale=stale,
            private=visible,
        )
