"""Deadlines counted in working time: only the hours inside business hours count."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class BusinessHours:
    def __init__(self, timezone: str, days: list[str], start: time, end: time) -> None:
        self.zone = ZoneInfo(timezone)
        self.days = {DAY_NAMES.index(d) for d in days}
        self.start, self.end = start, end

    @property
    def day_length(self) -> timedelta:
        return datetime.combine(date.min, self.end) - datetime.combine(date.min, self.start)

    def _window(self, day: date) -> tuple[datetime, datetime] | None:
        if day.weekday() not in self.days:
            return None
        return (
            datetime.combine(day, self.start, self.zone),
            datetime.combine(day, self.end, self.zone),
        )

    def add(self, moment: datetime, work: timedelta) -> datetime:
        """The moment when `work` of business time has passed since `moment`."""
        local = moment.astimezone(self.zone)
        day = local.date()
        remaining = work
        for _ in range(3700):  # ten years of days at most; a policy cannot ask for more
            window = self._window(day)
            if window is not None:
                opens, closes = window
                begin = max(opens, local)
                if begin < closes:
                    available = closes - begin
                    if remaining <= available:
                        return (begin + remaining).astimezone(moment.tzinfo)
                    remaining -= available
            day += timedelta(days=1)
            local = datetime.combine(day, time(0), self.zone)
        raise ValueError("business hours leave no working time")

    def elapsed(self, start: datetime, end: datetime) -> timedelta:
        """Business time between two moments (zero if end is before start)."""
        if end <= start:
            return timedelta(0)
        total = timedelta(0)
        day = start.astimezone(self.zone).date()
        last = end.astimezone(self.zone).date()
        while day <= last:
            window = self._window(day)
            if window is not None:
                begin, finish = max(window[0], start), min(window[1], end)
                if begin < finish:
                    total += finish - begin
            day += timedelta(days=1)
        return total
