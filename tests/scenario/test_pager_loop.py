"""The pager loop: what PagerDuty and Opsgenie were told to page, they are told is
taken (acknowledged in Firebell) and over (Fixed, Closed); once each, across a
restart too, and only the pagers that paged about the issue."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from storage.models import OutboxItem
from tests.helpers import channel_of, file_another, file_report, issues, pending_outbox, run

PD_KEY = "R0123456789ABCDEF0123456789ABCDE"
GENIE_KEY = "0c5e1a52-7b0d-4c3e-9c49-6b2f4a8d1e77"
ALIAS = "firebell-INC-1"


@dataclass
class Team:
    sandbox: Sandbox
    config: FirebellConfig
    dana: User
    sam: User
    support: Channel


@pytest.fixture
async def team() -> AsyncIterator[Team]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    config = FirebellConfig.model_validate(
        {
            "escalation_policies": [
                {
                    "name": "pagers",
                    "start": "on_open",
                    "on_open_severities": ["critical"],
                    "steps": [
                        {"targets": [{"pagerduty": PD_KEY}, {"opsgenie": GENIE_KEY}], "wait": "10m"}
                    ],
                }
            ],
            "paging": {
                "pagerduty_url": sandbox.base_url + "pagerduty/v2/enqueue",
                "opsgenie_url": sandbox.base_url + "opsgenie/v2/alerts",
            },
        }
    )
    try:
        yield Team(sandbox, config, dana, sam, support)
    finally:
        await sandbox.stop()


def told(team: Team, key: str = ALIAS) -> tuple[list[str], list[str]]:
    pagers = team.sandbox.pagers
    return pagers.pagerduty_actions(key), pagers.opsgenie_actions(key)


async def fix_and_close(h: Harness, team: Team) -> None:
    """INC-1 (acknowledged) along the lifecycle to Fixed, then Closed."""
    room = channel_of(h, issues(h.firebell.runtime.db)[0])
    for step in ("status revise", "status retest", "fixed"):
        await run(h, team.sam, room, step)
    assert await run(h, team.sam, room, "close Rolled back") == "INC-1 moved to Closed."


async def test_pagers_hear_acknowledge_and_resolve_once_each(
    team: Team, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        issue = await file_report(h, team.dana, team.support, severity="critical")
        await h.firebell.tick()
        assert told(team) == (["trigger"], ["create"])
        # Another issue nobody paged about: the pagers never hear of it.
        other = await file_another(h, team.dana, team.support, title="Typo", severity="minor")
        await run(h, team.sam, channel_of(h, other), "ack")

        room = channel_of(h, issue)
        team.sandbox.pagers.outage = 1  # PagerDuty answers 503 once: retried, in order
        await run(h, team.sam, room, "ack")
        assert told(team) == (["trigger"], ["create"])
        clock.advance(minutes=5)
        await h.firebell.settle()
        assert told(team) == (["trigger", "acknowledge"], ["create", "acknowledge"])
        await fix_and_close(h, team)  # Fixed, then Closed: resolved once
        clock.advance(minutes=30)
        await h.firebell.tick()
        assert told(team) == (
            ["trigger", "acknowledge", "resolve"],
            ["create", "acknowledge", "close"],
        )
        assert told(team, "firebell-INC-2") == ([], [])
        assert team.sandbox.pagers.alerts[ALIAS] == "closed"
        assert {r["api_key"] for r in team.sandbox.pagers.opsgenie} == {GENIE_KEY}
    assert PD_KEY not in caplog.text and GENIE_KEY not in caplog.text  # the keys are secrets


async def test_an_acknowledgement_owed_at_a_stop_is_sent_once_by_the_next_process(
    team: Team, database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        issue = await file_report(h, team.dana, team.support, severity="critical")
        await h.firebell.tick()
        await h.firebell.runtime.worker.stop()  # this process delivers nothing more
        reply = await h.driver.slash_command(team.sam, channel_of(h, issue), "ack")
        assert reply.status == 200
        await h.firebell.runtime.background.drain()
        owed = [
            i.payload["action"]
            for i in pending_outbox(h.firebell.runtime.db)
            if i.kind == "pager_follow_up"
        ]
        assert owed == ["acknowledge", "acknowledge"]
    assert told(team) == (["trigger"], ["create"])
    for _ in range(2):  # two later processes, each delivering and ticking
        async with running(
            database_url, clock=clock, config=team.config, sandbox=team.sandbox
        ) as h:
            await h.firebell.settle()
            await h.firebell.tick()
            assert told(team) == (["trigger", "acknowledge"], ["create", "acknowledge"])
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        await fix_and_close(h, team)
        assert told(team) == (
            ["trigger", "acknowledge", "resolve"],
            ["create", "acknowledge", "close"],
        )


async def test_an_alert_opsgenie_no_longer_knows_is_nothing_left_to_do(
    team: Team, database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, config=team.config, sandbox=team.sandbox) as h:
        issue = await file_report(h, team.dana, team.support, severity="critical")
        await h.firebell.tick()
        del team.sandbox.pagers.alerts[ALIAS]  # deleted in Opsgenie meanwhile
        await run(h, team.sam, channel_of(h, issue), "ack")
        assert told(team) == (["trigger", "acknowledge"], ["create"])
        with h.firebell.runtime.db.session() as session:
            query = select(OutboxItem).where(OutboxItem.kind == "pager_follow_up")
            follow_ups = list(session.exec(query))
        assert [i.status for i in follow_ups] == ["done", "done"]  # 404: done, not retried

        # Closed by a merge without being acknowledged: resolved, never acknowledged.
        second = await file_another(h, team.dana, team.support, title="Checkout 502 again")
        await h.firebell.tick()
        answer = await run(h, team.sam, channel_of(h, second), "merge into INC-1")
        assert answer == "INC-2 is merged into INC-1."
        assert told(team, "firebell-INC-2") == (["trigger", "resolve"], ["create", "close"])


async def test_the_stand_ins_answer_as_the_vendors_do(team: Team) -> None:
    base = team.sandbox.base_url
    async with aiohttp.ClientSession() as http:
        event = {"routing_key": PD_KEY, "event_action": "acknowledge", "dedup_key": "k-1"}
        async with http.post(base + "pagerduty/v2/enqueue", json=event) as resp:
            assert resp.status == 202
            assert await resp.json() == {
                "status": "success",
                "message": "Event processed",
                "dedup_key": "k-1",
            }
        short = {**event, "routing_key": "pd-routing-key-123"}
        async with http.post(base + "pagerduty/v2/enqueue", json=short) as resp:
            body = await resp.json()
            assert resp.status == 400 and body["status"] == "invalid event"
            assert "should be 32 characters" in body["errors"][0]
        genie = {"Authorization": f"GenieKey {GENIE_KEY}"}
        alert = {"message": "INC-9: down", "alias": "a-9", "priority": "P1"}
        async with http.post(base + "opsgenie/v2/alerts", json=alert, headers=genie) as resp:
            body = await resp.json()
            assert resp.status == 202 and body["result"] == "Request will be processed"
            assert set(body) == {"result", "took", "requestId"}
        for action in ("close", "close"):  # closing a closed alert: accepted, changes nothing
            url = f"{base}opsgenie/v2/alerts/a-9/{action}?identifierType=alias"
            async with http.post(url, json={}, headers=genie) as resp:
                assert resp.status == 202
        assert team.sandbox.pagers.alerts["a-9"] == "closed"
        url = f"{base}opsgenie/v2/alerts/nope/acknowledge?identifierType=alias"
        async with http.post(url, json={}, headers=genie) as resp:
            assert resp.status == 404 and "does not exist" in (await resp.json())["message"]
        async with http.post(url, json={}, headers={"Authorization": "GenieKey "}) as resp:
            assert resp.status == 401 and (await resp.json())["message"] == "Could not authenticate"
