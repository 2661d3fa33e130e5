"""The figures on a scripted week played through the real bot, with answers worked
out by hand: times from transitions, status times and loops, reopens, compliance,
change failure rate, on-call load across a DST change, drills left out, a private
issue counted but never named.

The schedule is in New York, where summer time ended on Sunday 1 November 2026:
12:30 UTC was 08:30 (business hours) the week before and is 07:30 (sleep hours)
after; 22:30 UTC was 18:30 (off hours) and is 17:30 (business hours).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.workspace import Channel, User
from storage.models import FollowUp, Issue
from tests.helpers import GOOD_REPORT, channel_of, issues, open_modal, people, run

HOOK_TOKEN = "deploy-hook-token"
API_TOKEN = "insights-api-token-0123"
START = datetime(2026, 10, 30, 10, 0, tzinfo=UTC)  # a Friday
MIN = 60.0


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def h(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    # Users exist before the config names them: build the sandbox first.
    from sandbox import Sandbox

    sandbox = await Sandbox().start()
    olga = sandbox.workspace.add_user("olga", "Olga")  # on call
    config = FirebellConfig.model_validate(
        {
            "sla": {
                # Only these two clocks run: the others are stopped (merged over the defaults).
                "policies": {
                    "critical": {"acknowledge": "15m", "update": "off", "resolve": "off"},
                    "major": {"acknowledge": "1h", "update": "off", "resolve": "off"},
                    "minor": {"acknowledge": "off", "resolve": "off"},
                    "trivial": {"acknowledge": "off", "resolve": "off"},
                }
            },
            "schedules": [
                {
                    "name": "primary",
                    "timezone": "America/New_York",
                    "rotations": [
                        {"participants": [olga.id], "shift": "1w", "handoff": "2026-10-26T09:00"}
                    ],
                }
            ],
            "escalation_policies": [
                {"name": "default", "repeat": 0, "steps": [{"targets": [{"schedule": "primary"}]}]}
            ],
            "webhooks": {"tokens": {"deploy": HOOK_TOKEN}},
            "deploy_window": "2h",
            "types": {"compliance": {"exclude_from_metrics": True}},
            "api": {"tokens": {"reports": {"token": API_TOKEN}}},
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as harness:
            yield harness
    finally:
        await sandbox.stop()


async def deploy(h: Harness, service: str, version: str) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{h.bot_url}/webhooks/deploy",
            json={"service": service, "version": version},
            headers={"Authorization": f"Bearer {HOOK_TOKEN}"},
        ) as resp,
    ):
        assert resp.status == 201, await resp.text()
    await h.firebell.settle()


async def api(h: Harness, path: str) -> Any:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{h.bot_url}{path}", headers={"Authorization": f"Bearer {API_TOKEN}"}) as resp,
    ):
        assert resp.status == 200, await resp.text()
        return await resp.json()


async def at(h: Harness, clock: FakeClock, when: datetime) -> None:
    """Move the clock forward to a moment and let the engine see it."""
    assert when >= clock.now()
    clock.advance(seconds=(when - clock.now()).total_seconds())
    await h.firebell.tick()


def t(day: int, hour: int, minute: int = 0, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def steer(h: Harness, user: User, issue: Issue, *commands: tuple[datetime, str]) -> None:
    clock: FakeClock = h.firebell.runtime.clock  # type: ignore[assignment]
    for when, text in commands:
        await at(h, clock, when)
        reply = await run(h, user, channel_of(h, issue), text)
        done = ("You acknowledged", "moved to", "being escalated", "is deployed", "reopened")
        assert any(word in reply for word in done), f"{text}: {reply}"


def add_followups(h: Harness, issue: Issue, created: datetime) -> None:
    due = date(2026, 11, 1)
    rows = [  # on time, late, overdue (as of 3 November), open and not due yet
        ("Add a canary", "done", due, created + timedelta(hours=2)),
        ("Alert on queue depth", "done", due, datetime(2026, 11, 2, 9, tzinfo=UTC)),
        ("Write the runbook", "open", due, None),
        ("Load test", "open", date(2026, 11, 10), None),
    ]
    with h.firebell.runtime.db.session() as session:
        for title, status, due_on, done_at in rows:
            session.add(
                FollowUp(
                    issue_id=issue.id or 0,
                    title=title,
                    due_on=due_on,
                    status=status,
                    done_at=done_at,
                    created_at=created,
                )
            )


async def file(
    h: Harness, clock: FakeClock, who: User, where: Channel, when: datetime, **answers: Any
) -> Issue:
    await at(h, clock, when)
    view = await open_modal(h, who, where)
    reply = await h.driver.submit_view(who, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()
    return issues(h.firebell.runtime.db)[-1]


async def test_a_scripted_week_gives_the_figures_worked_out_by_hand(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    olga = next(u for u in h.ws.users.values() if u.name == "olga")

    await deploy(h, "checkout-api", "v41")  # Fri 10:00: followed by INC-1 within 2 h
    await deploy(h, "search-api", "v7")  # followed by nothing within 2 h

    # INC-1: acknowledged after 10 min, Retest -> Revise once, fixed after 50, deployed 30
    # min after the fix, closed 10 min later.
    a = await file(h, clock, dana, support, t(30, 11), service="checkout-api")
    await steer(
        h,
        sam,
        a,
        (t(30, 11, 10), "ack"),
        (t(30, 11, 20), "status revise"),
        (t(30, 11, 30), "status retest"),
        (t(30, 11, 40), "status revise"),
        (t(30, 11, 45), "status retest"),
        (t(30, 11, 50), "fixed"),
        (t(30, 12, 20), "deployed"),
        (t(30, 12, 30), "close Rolled back the pool size"),
    )
    add_followups(h, a, t(30, 12, 30))

    # INC-2, private: paged by the SLA at 90 % (13:13:30 UTC, 09:13 in New York: business
    # hours), acknowledged after 30 min, so its clock breached at 15 min.
    b = await file(
        h,
        clock,
        dana,
        support,
        t(30, 13),
        title="Payroll export leaks",
        private=["private"],
        service="billing",
    )
    await at(h, clock, t(30, 13, 14))
    await at(h, clock, t(30, 13, 16))
    await steer(h, dana, b, (t(30, 13, 30), "ack"))  # its reporter; sam is no member

    # INC-3, Saturday 11:00 in New York (off hours), paged by hand, fixed, closed,
    # reopened and fixed again: time to fix runs to the second fix.
    c = await file(h, clock, dana, support, t(31, 15), severity="major", service="checkout-api")
    await steer(
        h,
        sam,
        c,
        (t(31, 15), "escalate"),
        (t(31, 15, 5), "ack"),
        (t(31, 15, 20), "status revise"),
        (t(31, 15, 40), "status retest"),
        (t(31, 16), "fixed"),
        (t(31, 16, 10), "close"),
        (t(31, 16, 20), "reopen"),
        (t(31, 16, 25), "status revise"),
        (t(31, 16, 30), "status retest"),
        (t(31, 16, 40), "fixed"),
    )

    # A drill on Monday: paged, acknowledged, and in no figure.
    drill = await file(h, clock, dana, support, t(2, 12, 0, 11), type="compliance")
    await steer(h, sam, drill, (t(2, 12, 0, 11), "escalate"), (t(2, 12, 10, 11), "ack"))
    add_followups(h, drill, t(2, 12, 10, 11))

    # INC-5, Monday 12:30 UTC = 07:30 in New York after the change: sleep hours.
    e = await file(
        h, clock, dana, support, t(2, 12, 30, 11), severity="minor", service="search-api"
    )
    await steer(h, sam, e, (t(2, 12, 30, 11), "escalate"), (t(2, 12, 45, 11), "ack"))

    # INC-6, Monday 22:30 UTC = 17:30 in New York: business hours; left untouched.
    f = await file(h, clock, dana, support, t(2, 22, 30, 11), severity="trivial")
    await steer(h, dana, f, (t(2, 22, 30, 11), "escalate"))

    await at(h, clock, t(3, 0, 0, 11))
    body = await api(h, "/api/v1/stats?since=2026-10-27&until=2026-11-02")

    filed = body["issues"]
    assert filed["filed"] == 5  # the drill is left out
    assert filed["by_severity"] == {"critical": 2, "major": 1, "minor": 1, "trivial": 1}
    # INC-2 is private and this token is not: counted, but its service is not named.
    assert filed["by_service"] == {"checkout-api": 3, "search-api": 1}
    assert filed["private_not_named"] == 1
    assert filed["reopens"] == 1 and filed["reopened"] == 1
    assert filed["retest_revise_loops"] == 1
    assert body["time_to_acknowledge"] == {  # 10, 30, 5, 15 minutes
        "count": 4,
        "mean": 15 * MIN,
        "median": 12.5 * MIN,
        "p90": 30 * MIN,
    }
    assert body["time_to_fix"] == {  # 50 and 100 minutes (INC-3 to its second fix)
        "count": 2,
        "mean": 75 * MIN,
        "median": 75 * MIN,
        "p90": 100 * MIN,
    }
    assert body["time_to_deploy"] == {
        "count": 1,
        "mean": 30 * MIN,
        "median": 30 * MIN,
        "p90": 30 * MIN,
    }
    assert body["time_to_resolve"]["count"] == 1 and body["time_to_resolve"]["median"] == 80 * MIN
    in_status = body["time_in_status"]
    # INC-1: 10 + 5 min in Retest, 10 + 5 in Revise; INC-3: 20 + 10 in Retest, 20 + 5 in Revise
    assert in_status["retest"]["count"] == 2 and in_status["retest"]["median"] == 22.5 * MIN
    assert in_status["revise"]["median"] == 20 * MIN
    assert in_status["new"]["count"] == 5  # INC-6 is still New: counted up to now
    # INC-1 spent 40 min in Fixed; INC-3 10 min, then is Fixed again since 16:40 on Saturday.
    assert in_status["fixed"]["count"] == 2
    assert in_status["fixed"]["p90"] == (t(3, 0, 0, 11) - t(31, 16, 40)).total_seconds() + 10 * MIN

    ack = body["sla"]["acknowledge"]
    assert (ack["met"], ack["breached"], ack["running"]) == (2, 1, 0)
    assert ack["compliance"] == pytest.approx(2 / 3)
    assert ack["by_severity"]["critical"]["breached"] == 1
    assert ack["by_severity"]["major"]["met"] == 1

    deploys = body["deploys"]
    assert deploys["count"] == 2 and deploys["followed_by_issue"] == 1
    assert deploys["change_failure_rate"] == 0.5
    assert deploys["recovery_time"]["median"] == 140 * MIN  # v41 at 10:00 -> fix deployed 12:20

    oncall = body["oncall"]
    assert (
        oncall["pages"],
        oncall["business_hours"],
        oncall["off_hours"],
        oncall["sleep_hours"],
    ) == (4, 2, 1, 1)
    assert oncall["by_user"] == {
        olga.id: {"pages": 4, "business_hours": 2, "off_hours": 1, "sleep_hours": 1}
    }
    assert oncall["by_schedule"]["primary"]["pages"] == 4

    assert body["followups"] == {"open": 1, "done_on_time": 1, "done_late": 1, "overdue": 1}
    assert "Payroll" not in json.dumps(body)  # counted, never named

    async with (
        aiohttp.ClientSession() as session,
        session.get(f"{h.bot_url}/metrics") as resp,
    ):
        exposition = await resp.text()
    # The drill (critical, acknowledged) is in no metric either; INC-6 is the open trivial.
    assert 'firebell_issues_filed_total{severity="critical",source="slack"} 2.0' in exposition
    assert 'firebell_time_to_acknowledge_seconds_count{severity="critical"} 2.0' in exposition
    assert 'firebell_issues_open{severity="trivial",type="outage"} 1.0' in exposition
    assert 'type="compliance"' not in exposition

    shown = await run(h, dana, support, "stats 7d")
    assert "*Change failure rate*\\n50% (1 of 2 deploys)" in shown
    assert "*Pages (in sleep hours)*\\n4 (1)" in shown
    assert "*Reopened*\\n1 (1 Retest → Revise)" in shown
    assert "*Follow-ups*\\n1 overdue, 1 done late, 1 on time" in shown


async def test_a_drill_playbook_keeps_its_issues_out_of_the_figures(
    database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    team = tmp_path / "playbooks"
    team.mkdir()
    (team / "game-day.yml").write_text(
        "name: game-day\napplies_to: {types: [other]}\nexclude_from_metrics: true\n"
        "phases:\n  response:\n    - {id: play, text: Play the scenario}\n"
    )
    config = FirebellConfig(playbooks_dir=team, api={"tokens": {"r": {"token": API_TOKEN}}})
    async with running(database_url, clock=clock, config=config) as h:
        dana, _, support = people(h)
        await file(h, clock, dana, support, clock.now(), type="other", title="Game day: DB down")
        await file(h, clock, dana, support, clock.now(), title="Checkout fails")
        drill, real = issues(h.firebell.runtime.db)
        assert (drill.playbook, drill.exclude_from_metrics) == ("game-day", True)
        assert not real.exclude_from_metrics
        clock.advance(minutes=1)
        body = await api(h, "/api/v1/stats")
        assert body["issues"]["filed"] == 1 and body["issues"]["by_type"] == {"outage": 1}
