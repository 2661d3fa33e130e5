"""The bot's side of the playground's controls: its clock (run, pause, jump), the next
SLA step read from Firebell's database, sample alerts and deploys sent to Firebell's
own webhooks with the configured tokens, and the outbox item behind a message."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import aiohttp
from sqlmodel import Session, col, select

from bot.config import FirebellConfig
from bot.core.clock import SteerableClock
from bot.demo.harness import Harness
from storage.models import Issue, OutboxItem
from storage.sla_models import Escalation, SlaClock

log = logging.getLogger(__name__)

JUMPS = {"plus5m": 300.0, "plus1h": 3600.0}
SAMPLE_LABELS = {"alertname": "SearchLatencyHigh", "severity": "major", "service": "search-api"}


def next_sla_step(session: Session, now: datetime) -> tuple[datetime, str] | None:
    """The next moment an SLA clock or an escalation acts: a warning, the page at the
    escalation fraction, a deadline, an escalation's next step."""
    found: list[tuple[datetime, str]] = []
    clock_row = session.exec(
        select(SlaClock, Issue.number)
        .join(Issue, col(Issue.id) == SlaClock.issue_id)
        .where(col(SlaClock.stopped_at).is_(None), col(SlaClock.next_check_at) > now)
        .order_by(col(SlaClock.next_check_at))
        .limit(1)
    ).first()
    if clock_row is not None:
        clock, number = clock_row
        assert clock.next_check_at is not None
        at = clock.next_check_at
        what = {clock.warn_at: "warning", clock.escalate_at: "page"}.get(at, "deadline")
        found.append((at, f"INC-{number} {clock.kind} {what}"))
    step_row = session.exec(
        select(Escalation, Issue.number)
        .join(Issue, col(Issue.id) == Escalation.issue_id)
        .where(col(Escalation.next_step_at) > now)
        .order_by(col(Escalation.next_step_at))
        .limit(1)
    ).first()
    if step_row is not None:
        escalation, number = step_row
        assert escalation.next_step_at is not None
        found.append((escalation.next_step_at, f"INC-{number} escalation step"))
    return min(found) if found else None


class PlaygroundControls:
    """Filled in once Firebell runs (`attach`); the page's buttons call these."""

    def __init__(self, clock: SteerableClock, config: FirebellConfig) -> None:
        self.clock = clock
        self.config = config
        self.h: Harness | None = None
        self.lock = asyncio.Lock()  # one tick at a time: the loop's and a jump's

    def attach(self, h: Harness) -> None:
        self.h = h

    @property
    def harness(self) -> Harness:
        assert self.h is not None, "Firebell is not running yet"
        return self.h

    async def tick(self) -> None:
        async with self.lock:
            try:
                await self.harness.firebell.tick()
            except Exception:  # logged; the next tick tries again
                log.exception("the playground's scheduler tick failed")

    async def _next(self) -> tuple[datetime, str] | None:
        db = self.harness.firebell.runtime.db

        def read() -> tuple[datetime, str] | None:
            with db.session() as session:
                return next_sla_step(session, self.clock.now())

        return await db.run(read)

    async def clock_state(self) -> dict[str, Any]:
        upcoming = await self._next() if self.h is not None else None
        return {
            "now": self.clock.now().isoformat(),
            "running": self.clock.running,
            "next": ({"at": upcoming[0].isoformat(), "what": upcoming[1]} if upcoming else None),
        }

    async def steer(self, action: str) -> dict[str, Any]:
        if action == "run":
            self.clock.run()
        elif action == "pause":
            self.clock.pause()
        elif action in JUMPS:
            self.clock.jump(JUMPS[action])
        elif action == "next":
            upcoming = await self._next()
            if upcoming is None:
                return {"error": "no SLA clock is running: file an issue first"}
            seconds = (upcoming[0] - self.clock.now()).total_seconds()
            self.clock.jump(seconds + 1)  # a second past it: the engine takes what is due
        else:
            return {"error": "action is run, pause, plus5m, plus1h or next"}
        await self.tick()
        return await self.clock_state()

    async def _post(self, path: str, source: str, body: dict[str, Any]) -> dict[str, Any]:
        token = self.config.webhooks.tokens[source].get_secret_value()  # type: ignore[index]
        headers = {"Authorization": f"Bearer {token}"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{self.harness.bot_url}{path}", json=body, headers=headers) as resp,
        ):
            answer = await resp.json(content_type=None)
        await self.harness.firebell.settle()
        return {"status": resp.status, "answer": answer}

    async def alert(self, status: str) -> dict[str, Any]:
        """What Alertmanager sends (its documented webhook body)."""
        now = self.clock.now().isoformat().replace("+00:00", "Z")
        body = {
            "version": "4",
            "status": status,
            "receiver": "firebell",
            "groupLabels": {},
            "commonLabels": SAMPLE_LABELS,
            "commonAnnotations": {},
            "externalURL": "http://alertmanager.example:9093",
            "alerts": [
                {
                    "status": status,
                    "labels": SAMPLE_LABELS,
                    "fingerprint": "5ea7c4",
                    "annotations": {"summary": "p99 search latency above 2 s"},
                    "startsAt": now,
                }
            ],
        }
        return await self._post("/webhooks/alertmanager", "alertmanager", body)

    async def deploy(self, fixes: list[str]) -> dict[str, Any]:
        stamp = self.clock.now().strftime("%Y%m%d.%H%M")
        body = {
            "service": "checkout-api",
            "version": f"v{stamp}",
            "environment": "production",
            "fixes": fixes,
            "description": "a deploy from the playground",
            "time": self.clock.now().isoformat(),
        }
        return await self._post("/webhooks/deploy", "deploy", body)

    async def outbox_item(self, key: str) -> dict[str, Any] | None:
        """The outbox item whose key a message carries in its metadata (outbox-<id>)."""
        number = key.removeprefix("outbox-")
        if not number.isdigit():
            return None
        db = self.harness.firebell.runtime.db

        def read() -> dict[str, Any] | None:
            with db.session() as session:
                item = session.get(OutboxItem, int(number))
                return None if item is None else item.model_dump(mode="json")

        return await db.run(read)
