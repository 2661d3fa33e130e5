"""Filing is the same for every source: who reported is named the same way on every
surface, and recent deploys are correlated whatever filed the issue.

Both tests failed before filing had one entry point and reporters one home: a
modal-filed issue had no "recent deploys" timeline line, and an alert-made issue's
page DM, timeline and review said "<@alertmanager>". (The card's deploy line was
already right: it is looked up when the card is drawn; it is checked here too.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from tests.helpers import channel_of, file_report, run, timeline_kinds
from tests.scenario.test_detection import TOKEN, alertmanager, all_issues, post


@dataclass
class Team:
    h: Harness
    dana: User
    sam: User
    support: Channel


@pytest.fixture
async def team(database_url: str, clock: FakeClock) -> AsyncIterator[Team]:
    """Dana reports, Sam is on call; webhooks for Alertmanager and deploys are on."""
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    rotation = {"participants": [sam.id], "shift": "1d", "handoff": "2026-01-05T09:00"}
    config = FirebellConfig.model_validate(
        {
            "webhooks": {"tokens": {"alertmanager": TOKEN, "deploy": TOKEN}},
            "deploy_window": "2h",
            "schedules": [{"name": "primary", "rotations": [rotation]}],
            "escalation_policies": [
                {"name": "default", "steps": [{"targets": [{"schedule": "primary"}]}]}
            ],
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            yield Team(h, dana, sam, support)
    finally:
        await sandbox.stop()


async def test_a_modal_filed_issue_shows_a_deploy_made_10_minutes_before(
    team: Team, clock: FakeClock
) -> None:
    hf, dana, sam, support = team.h, team.dana, team.sam, team.support
    deploy = {"service": "checkout-api", "version": "v7.1.0", "link": "https://ci.example.com/7"}
    assert (await post(hf, "deploy", deploy))[0] == 201
    clock.advance(minutes=10)
    issue = await file_report(hf, dana, support)  # GOOD_REPORT names service checkout-api
    assert "recent_deploys" in timeline_kinds(hf.firebell.runtime.db, issue)
    room = channel_of(hf, issue)
    timeline = await run(hf, sam, room, "timeline")
    assert "deploys to checkout-api shortly before: v7.1.0" in timeline
    card = hf.ws.messages_in(room.id)[0]
    assert (
        "1 deploy to checkout-api in the 2h before this issue: <https://ci.example.com/7|v7.1.0>"
    ) in str(card.blocks)


async def test_an_alert_made_issue_names_its_tool_everywhere(team: Team, clock: FakeClock) -> None:
    hf, sam = team.h, team.sam
    assert (await post(hf, "alertmanager", alertmanager()))[0] == 202
    (issue,) = all_issues(hf)
    room = channel_of(hf, issue)
    clock.advance(minutes=14)  # critical: 90 % of the 15-minute acknowledge SLA
    assert (await hf.firebell.tick()).escalations_started == 1
    page = hf.ws.dms_to(sam.id)[-1]
    assert "Reported by Alertmanager alert" in str(page.blocks)
    timeline = await run(hf, sam, room, "timeline")
    assert "Alertmanager filed the issue" in timeline
    assert "opened by an alert from Alertmanager" in timeline
    await run(hf, sam, room, "review")
    review = next(m for m in hf.ws.messages_in(room.id) if m.text.startswith("Post-incident"))
    assert "Reported by Alertmanager alert" in str(review.blocks)
    everything = " ".join([str(page.blocks), timeline, str(review.blocks)])
    assert "<@alertmanager>" not in everything and "a alertmanager" not in everything
