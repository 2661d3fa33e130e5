"""Who is on call: rotations by hand-off time in the schedule's time zone, plus overrides.

Shifts that are whole days keep their local hand-off time across daylight-saving
changes (09:00 stays 09:00); other shifts are counted in absolute hours.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sla.config import Rotation, Schedule

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Shift:
    user: str
    start: datetime
    end: datetime
    override: bool = False


@dataclass(frozen=True)
class OverrideWindow:
    user: str
    start: datetime
    end: datetime


def local(text: str, zone: ZoneInfo) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def _rotation_shift(rotation: Rotation, zone: ZoneInfo, at: datetime) -> Shift | None:
    handoff = local(rotation.handoff, zone)
    if at < handoff:
        return None
    people = rotation.participants
    if rotation.shift % DAY == timedelta(0):
        days = rotation.shift // DAY
        here = at.astimezone(zone)
        elapsed = (here.date() - handoff.date()).days
        if here.time() < handoff.time():
            elapsed -= 1
        index = elapsed // days
        start_day = handoff.date() + timedelta(days=index * days)
        start = datetime.combine(start_day, handoff.time(), zone)
        end = datetime.combine(start_day + timedelta(days=days), handoff.time(), zone)
    else:
        index = int((at - handoff) // rotation.shift)
        start = handoff + index * rotation.shift
        end = start + rotation.shift
    return Shift(people[index % len(people)], start, end)


def _base_shift(schedule: Schedule, at: datetime) -> Shift | None:
    """The rotation that started last (before `at`) decides; a new one replaces the old."""
    zone = ZoneInfo(schedule.timezone)
    started = [r for r in schedule.rotations if local(r.handoff, zone) <= at]
    if not started:
        return None
    rotation = max(started, key=lambda r: local(r.handoff, zone))
    return _rotation_shift(rotation, zone, at)


def config_overrides(schedule: Schedule) -> list[OverrideWindow]:
    zone = ZoneInfo(schedule.timezone)
    return [
        OverrideWindow(o.user, local(o.start, zone), local(o.end, zone)) for o in schedule.overrides
    ]


def on_call(
    schedule: Schedule, at: datetime, overrides: list[OverrideWindow] | None = None
) -> Shift | None:
    """Who is on call at `at`; the most recently listed active override wins."""
    active = [o for o in (overrides or []) + config_overrides(schedule) if o.start <= at < o.end]
    if active:
        chosen = active[0]
        return Shift(chosen.user, chosen.start, chosen.end, override=True)
    shift = _base_shift(schedule, at)
    if shift is None:
        return None
    # An override that starts during this shift cuts it short.
    upcoming = [
        o.start
        for o in (overrides or []) + config_overrides(schedule)
        if shift.start < o.start < shift.end and o.start > at
    ]
    return Shift(shift.user, shift.start, min([shift.end, *upcoming]))


def next_on_call(
    schedule: Schedule, at: datetime, overrides: list[OverrideWindow] | None = None
) -> Shift | None:
    """The next shift with a different person (or the next hand-off)."""
    current = on_call(schedule, at, overrides)
    if current is None:
        starts = [local(r.handoff, ZoneInfo(schedule.timezone)) for r in schedule.rotations]
        later = [s for s in starts if s > at]
        return on_call(schedule, min(later), overrides) if later else None
    moment = current.end
    for _ in range(100):
        following = on_call(schedule, moment, overrides)
        if following is None:
            return None
        if following.user != current.user:
            # After an override the rotation's shift began long ago: the next person
            # takes over when the override ends, not when their shift began.
            start = max(following.start, moment)
            return Shift(following.user, start, following.end, override=following.override)
        moment = following.end
    return None
