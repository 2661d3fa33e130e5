"""Who is on call now and next, and overrides added from Slack."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, col, select

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.core.people import Actor
from bot.sla.config import OnCallConfig, Schedule
from bot.sla.rotations import OverrideWindow, Shift, next_on_call, on_call
from storage.db import Database
from storage.models import OnCallOverride

MAX_OVERRIDE = timedelta(days=31)


def overrides_for(session: Session, schedule: str, at: datetime) -> list[OverrideWindow]:
    rows = session.exec(
        select(OnCallOverride)
        .where(OnCallOverride.schedule == schedule, OnCallOverride.ends_at > at)
        .order_by(col(OnCallOverride.id).desc())
    )
    return [OverrideWindow(r.user_id, r.starts_at, r.ends_at) for r in rows]


@dataclass(frozen=True)
class OnCallNow:
    schedule: Schedule
    now: Shift | None
    next: Shift | None


class OnCall:
    def __init__(self, db: Database, clock: Clock, config: OnCallConfig) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def _schedule(self, name: str) -> Schedule:
        schedule = self.config.schedule(name)
        if schedule is None:
            known = ", ".join(f"`{s.name}`" for s in self.config.schedules) or "none configured"
            raise FirebellError(f"There is no schedule `{escape(name)}`. Schedules: {known}.")
        return schedule

    def who(self, name: str | None = None) -> list[OnCallNow]:
        if not self.config.schedules:
            raise FirebellError(
                "No on-call schedules are configured (see `schedules` in firebell.yml)."
            )
        schedules = [self._schedule(name)] if name else self.config.schedules
        now = self.clock.now()
        with self.db.session() as session:
            return [
                OnCallNow(
                    s,
                    on_call(s, now, overrides_for(session, s.name, now)),
                    next_on_call(s, now, overrides_for(session, s.name, now)),
                )
                for s in schedules
            ]

    def add_override(self, name: str, actor: Actor, user_id: str, length: timedelta) -> str:
        schedule = self._schedule(name)
        if length > MAX_OVERRIDE:
            raise FirebellError("An override lasts at most 31 days.")
        now = self.clock.now()
        with self.db.session() as session:
            current = on_call(schedule, now, overrides_for(session, name, now))
            if not actor.is_admin and (current is None or current.user != actor.user_id):
                who = f"<@{current.user}>" if current else "nobody"
                raise FirebellError(
                    f"Only an admin or whoever is on call for `{name}` now ({who}) can add an "
                    "override."
                )
            session.add(
                OnCallOverride(
                    schedule=name,
                    user_id=user_id,
                    starts_at=now,
                    ends_at=now + length,
                    created_by=actor.user_id,
                    created_at=now,
                )
            )
        return f"<@{user_id}> is on call for `{name}` until {(now + length):%Y-%m-%d %H:%M} UTC."
