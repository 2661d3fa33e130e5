"""`start: on_open`: a Critical issue pages at filing, not at 90 % of its acknowledge
clock; exactly once, across a restart too, and an alert route can ask for it."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from tests.helpers import GOOD_REPORT, channel_of, issues, open_modal, timeline_kinds

HOOK = "alert-hook-token"


@dataclass
class Team:
    sandbox: Sandbox
    config: FirebellConfig
    dana: User
    sam: User
    support: Channel


def config_for(sam: User) -> FirebellConfig:
    return FirebellConfig.model_validate(
        {
            "escalation_policies": [
                {
                    "name": "loud",
                    "start": "on_open",
                    "on_open_severities": ["sev1"],
                    "steps": [{"targets": [{"user": sam.id}], "wait": "10m"}],
                }
            ],
            "webhooks": {"tokens": {"generic": HOOK}},
            "alert_routes": [
                {"name": "db", "labels": {"team": "db"}, "severity": "minor", "start": "on_open"}
            ],
        }
    )


@pytest.fixture
async def team() -> AsyncIterator[Team]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    try:
        yield Team(sandbox, config_for(sam), dana, sam, support)
    finally:
        await sandbox.stop()


def pages_to(h: Harness, user: User) -> list[str]:
    return [m.text for m in h.ws.dms_to(user.id) if "needs you" in m.text]


async def file(h: Harness, team: Team, **answers: object) -> None:
    view = await open_modal(h, team.dana, team.support)
    reply = await h.driver.submit_view(team.dana, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def test_a_critical_issue_pages_at_filing_and_only_once(
    team: Team, database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        await file(h, team, severity="critical")
        assert pages_to(h, team.sam) == []  # nothing is sent inside the request
        await h.firebell.tick()
        assert len(pages_to(h, team.sam)) == 1  # at filing, not 13.5 minutes later
        issue = issues(h.firebell.runtime.db)[0]
        assert timeline_kinds(h.firebell.runtime.db, issue)[:4].count("escalation_started") == 1
        clock.advance(minutes=11, seconds=30)  # 75 %: the warning still comes
        await h.firebell.tick()
        room = channel_of(h, issue)
        assert any("runs out in" in m.text for m in h.ws.messages_in(room.id))
        for _ in range(3):  # 90 %, the breach, and later: the policy has run its course
            clock.advance(minutes=2)
            await h.firebell.tick()
        assert len(pages_to(h, team.sam)) == 1

        await file(h, team, severity="minor", title="Typo on the invoice page")
        await h.firebell.tick()
        assert len(pages_to(h, team.sam)) == 1  # on_open_severities: critical only


async def test_the_page_at_filing_survives_a_restart_and_is_sent_once(
    team: Team, database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        await file(h, team, severity="critical")  # stopped before any tick
    for _ in range(2):  # two later processes, each ticking twice
        async with running(
            database_url, clock=clock, config=team.config, sandbox=team.sandbox
        ) as h:
            await h.firebell.tick()
            await h.firebell.tick()
            assert len(pages_to(h, team.sam)) == 1


async def test_an_alert_route_can_page_on_open(
    team: Team, database_url: str, clock: FakeClock
) -> None:
    """The route's issue is Minor, which the policy would not page at filing."""
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        body = {"fingerprint": "db-1", "title": "Replica lag", "labels": {"team": "db"}}
        async with (
            aiohttp.ClientSession() as session,
            session.post(
                f"{h.bot_url}/webhooks/generic",
                data=json.dumps(body),
                headers={"Authorization": f"Bearer {HOOK}", "Content-Type": "application/json"},
            ) as resp,
        ):
            assert resp.status in (200, 201, 202), await resp.text()
        await h.firebell.settle()
        assert issues(h.firebell.runtime.db)[0].severity == "minor"
        await h.firebell.tick()
        assert len(pages_to(h, team.sam)) == 1
