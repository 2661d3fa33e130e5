"""Injected time, so SLA, retry and backoff logic can be tested without sleeping."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...

    async def sleep(self, seconds: float) -> None: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)


class FakeClock:
    """A clock that moves only when told to; sleeping moves it instantly."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
        self.slept: list[float] = []

    def now(self) -> datetime:
        return self._now

    def advance(self, seconds: float = 0, **kwargs: float) -> datetime:
        self._now += timedelta(seconds=seconds, **kwargs)
        return self._now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(seconds)
        await asyncio.sleep(0)


class SteerableClock:
    """Time a person steers (the playground): it runs at real speed from where it stands,
    pauses, and jumps ahead. Sleeping waits in real seconds, as a running clock does."""

    def __init__(self, start: datetime | None = None, *, real: SystemClock | None = None) -> None:
        self._real = real or SystemClock()
        self._anchor = start or self._real.now()  # what the clock read at `_since`
        self._since = self._real.now()
        self.running = True

    def now(self) -> datetime:
        if not self.running:
            return self._anchor
        return self._anchor + (self._real.now() - self._since)

    def pause(self) -> None:
        self._anchor, self._since, self.running = self.now(), self._real.now(), False

    def run(self) -> None:
        self._anchor, self._since, self.running = self.now(), self._real.now(), True

    def jump(self, seconds: float) -> datetime:
        """Move ahead (never back: the records would then disagree with Slack's ts)."""
        self._anchor, self._since = (
            self.now() + timedelta(seconds=max(seconds, 0)),
            self._real.now(),
        )
        return self._anchor

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
