"""Each page sent, as on-call load counts it, with the part of the day it fell in.

The part of the day is fixed when the page is sent, in the time zone of the
schedule that chose the person (a person paged directly: the first schedule they
are in, else UTC), so a later change of zone or a DST change rewrites nothing:
- business hours: Monday to Friday, 08:00-18:00
- off hours: weekdays 18:00-22:00 and weekends 08:00-22:00
- sleep hours: every day 22:00-08:00
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, insert
from sqlmodel import Session, col, select

from bot.sla.config import OnCallConfig
from bot.sla.targets import TargetKind
from storage.bulk import pg_insert_rows
from storage.models import Issue, PageSent

BUSINESS, OFF, SLEEP = "business", "off", "sleep"
DAY_STARTS, BUSINESS_ENDS, NIGHT_STARTS = 8, 18, 22


def part_of_day(at: datetime, zone: str) -> str:
    local = at.astimezone(ZoneInfo(zone))
    if local.hour >= NIGHT_STARTS or local.hour < DAY_STARTS:
        return SLEEP
    if local.weekday() < 5 and local.hour < BUSINESS_ENDS:
        return BUSINESS
    return OFF


def zone_of(config: OnCallConfig, schedule: str | None, user_id: str | None) -> str:
    if schedule and (found := config.schedule(schedule)) is not None:
        return found.timezone
    for candidate in config.schedules:
        if any(user_id in rotation.participants for rotation in candidate.rotations):
            return candidate.timezone
    return "UTC"


def record_page(
    session: Session,
    config: OnCallConfig,
    issue: Issue | None,
    target_kind: str,
    target: str,
    at: datetime,
    schedule: str | None = None,
) -> None:
    """One row a page; drills (exclude_from_metrics) are not on-call load."""
    row = page_row(config, issue, target_kind, target, at, schedule)
    if row is not None:
        session.add(PageSent(**row))


def page_row(
    config: OnCallConfig,
    issue: Issue | None,
    target_kind: str,
    target: str,
    at: datetime,
    schedule: str | None = None,
) -> dict[str, Any] | None:
    """`record_page`'s row as a dict (None for a drill), for a batch to insert."""
    if issue is not None and issue.exclude_from_metrics:
        return None
    kind = TargetKind(target_kind)
    user_id = target if kind == TargetKind.USER else None
    shown = target if kind.is_slack else kind.value  # a pager's key is a secret
    return {
        "issue_id": issue.id if issue is not None else None,
        "target_kind": target_kind,
        "target": shown[:80],
        "user_id": user_id,
        "schedule": schedule,
        "at": at,
        "hours": part_of_day(at, zone_of(config, schedule, user_id)),
    }


def insert_pages(session: Session, rows: list[dict[str, Any]]) -> None:
    """The rows a batch gathered with `page_row`, in one INSERT."""
    table = PageSent.__table__  # type: ignore[attr-defined]
    if session.get_bind().dialect.name == "postgresql":
        pg_insert_rows(session, table, rows)
    elif rows:
        session.execute(insert(table), rows)


@dataclass(frozen=True)
class PagedCount:
    """How often one person (or group, channel, pager) was paged, and through which schedule."""

    target_kind: str
    target: str
    schedule: str | None
    pages: int


def paged_since(session: Session, since: datetime) -> list[PagedCount]:
    """Who was paged from `since` on, most paged first (a pager shows as its kind only)."""
    rows = session.exec(
        select(
            col(PageSent.target_kind), col(PageSent.target), col(PageSent.schedule), func.count()
        )
        .where(col(PageSent.at) >= since)
        .group_by(col(PageSent.target_kind), col(PageSent.target), col(PageSent.schedule))
        .order_by(func.count().desc(), col(PageSent.target))
    )
    return [PagedCount(kind, target, schedule, count) for kind, target, schedule, count in rows]
