"""SLA clocks and escalation on simulated time, through the sandbox."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from storage.models import Escalation, Notification
from tests.helpers import channel_of, click, file_report, fresh, run, timeline_kinds

PD_KEY = "R0123456789ABCDEF0123456789ABCDE"


@dataclass
class OnCall:
    h: Harness
    dana: User
    sam: User
    olga: User
    support: Channel
    ops: Channel
    group: str


def oncall_config(
    sandbox: Sandbox, sam: User, olga: User, ops: Channel, group: str, **extra: object
) -> FirebellConfig:
    return FirebellConfig(
        schedules=[
            {
                "name": "primary",
                "timezone": "UTC",
                "rotations": [
                    {
                        "participants": [sam.id, olga.id],
                        "shift": "1d",
                        "handoff": "2026-01-05T09:00",
                    }
                ],
            }
        ],
        escalation_policies=[
            {
                "name": "default",
                "repeat": 1,
                "steps": [
                    {"targets": [{"schedule": "primary"}], "wait": "10m"},
                    {
                        "targets": [
                            {"user": olga.id},
                            {"usergroup": group},
                            {"channel": ops.id},
                            {"pagerduty": PD_KEY},
                            {"opsgenie": "genie-key"},
                        ],
                        "wait": "15m",
                    },
                ],
            }
        ],
        paging={
            "pagerduty_url": sandbox.base_url + "pagerduty/v2/enqueue",
            "opsgenie_url": sandbox.base_url + "opsgenie/v2/alerts",
        },
        **extra,
    )


@pytest.fixture
async def oc(database_url: str, clock: FakeClock) -> AsyncIterator[OnCall]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    olga = ws.add_user("olga", "Olga")
    support = ws.add_channel("support", dana, sam, olga, ws.bot)
    ops = ws.add_channel("ops", ws.bot)
    group = ws.add_usergroup(olga)
    config = oncall_config(sandbox, sam, olga, ops, group)
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            yield OnCall(h, dana, sam, olga, support, ops, group)
    finally:
        await sandbox.stop()


def texts(h: Harness, channel: Channel) -> list[str]:
    return [m.text for m in h.ws.messages_in(channel.id) if m.user == h.ws.bot.id]


async def test_warning_escalation_breach_and_every_step(oc: OnCall, clock: FakeClock) -> None:
    h = oc.h
    issue = await file_report(h, oc.dana, oc.support)  # critical: acknowledge within 15 min
    room = channel_of(h, issue)
    clock.advance(minutes=11, seconds=14)
    assert not (await h.firebell.tick()).anything  # just before 75 %
    clock.advance(seconds=1)
    result = await h.firebell.tick()
    assert result.warnings == 1
    assert any("the SLA to acknowledge INC-1 runs out in 3m" in t for t in texts(h, room))
    assert (await h.firebell.tick()).warnings == 0  # each threshold fires once

    clock.advance(minutes=2, seconds=15)  # 90 %: escalate before the breach
    result = await h.firebell.tick()
    assert result.escalations_started == 1 and result.pings == [f"user:{oc.sam.id}"]
    page = h.ws.dms_to(oc.sam.id)[-1]
    assert "*INC-1* needs you" in page.text
    assert "page_ack" in str(page.blocks) and "app.slack.com/client" in str(page.blocks)
    assert f":mega: Escalated INC-1 to <@{oc.sam.id}> (step 1 of 2)." in texts(h, room)

    clock.advance(minutes=1, seconds=30)  # 15 min: breached, next step at once
    result = await h.firebell.tick()
    assert result.breaches == 1 and result.steps == 1
    assert fresh(h.firebell.runtime.db, issue).breached_at == clock.now()
    assert "SLA breached" in str(h.ws.messages_in(room.id)[0].blocks)  # the card says so
    assert h.ws.dms_to(oc.olga.id)[-1].text.startswith(":rotating_light: *INC-1* needs you")
    assert any(f"<!subteam^{oc.group}>" in t for t in texts(h, room))
    assert "INC-1" in texts(h, oc.ops)[-1]
    pd = h.sandbox.pagers.pagerduty[-1]
    assert pd["routing_key"] == PD_KEY and pd["payload"]["severity"] == "critical"
    assert pd["dedup_key"] == "firebell-INC-1"
    assert h.sandbox.pagers.opsgenie[-1]["priority"] == "P1"

    clock.advance(minutes=15)  # the policy repeats once: step 1 again, then step 2, then stop
    assert (await h.firebell.tick()).pings == [f"user:{oc.sam.id}"]
    clock.advance(minutes=10)
    assert len((await h.firebell.tick()).pings) == 5
    clock.advance(minutes=15)
    assert (await h.firebell.tick()).steps == 0
    assert "escalation_exhausted" in timeline_kinds(h.firebell.runtime.db, issue)
    clock.advance(hours=1)
    assert (await h.firebell.tick()).steps == 0
    assert len(h.ws.dms_to(oc.sam.id)) == 2  # step 1 twice, no more


async def test_acknowledging_from_the_page_stops_escalation(oc: OnCall, clock: FakeClock) -> None:
    h = oc.h
    issue = await file_report(h, oc.dana, oc.support)
    clock.advance(minutes=14)
    await h.firebell.tick()
    page = h.ws.dms_to(oc.sam.id)[-1]
    await click(h, oc.sam, page, "page_ack")
    issue = fresh(h.firebell.runtime.db, issue)
    assert issue.acknowledged_at == clock.now() and issue.assignee_id == oc.sam.id
    assert "You acknowledged the page for INC-1." in h.ws.ephemerals_to(oc.sam.id)
    answered = h.ws.dms_to(oc.sam.id)[-1]  # the same DM, edited: nothing left to press
    assert answered.ts == page.ts and "page_ack" not in str(answered.blocks)
    assert f"Acknowledged by <@{oc.sam.id}>" in str(answered.blocks)
    clock.advance(minutes=20)  # past the next step's time (10 min) and the ack deadline
    result = await h.firebell.tick()
    assert result.steps == 0 and result.breaches == 0  # acknowledge clock stopped in time
    assert len(h.ws.dms_to(oc.olga.id)) == 0
    with h.firebell.runtime.db.session() as session:
        escalation = session.exec(select(Escalation)).one()
    assert escalation.stop_reason == "acknowledge clock stopped"


async def test_manual_escalation_and_the_update_cadence(oc: OnCall, clock: FakeClock) -> None:
    h = oc.h
    issue = await file_report(h, oc.dana, oc.support)
    room = channel_of(h, issue)
    assert await run(h, oc.dana, room, "escalate") == "INC-1 is being escalated now."
    await h.firebell.tick()
    assert len(h.ws.dms_to(oc.sam.id)) == 1
    assert await run(h, oc.dana, room, "escalate") == "INC-1 moves to its next escalation step now."
    await h.firebell.tick()
    assert len(h.ws.dms_to(oc.olga.id)) == 1
    await run(h, oc.sam, room, "ack")
    # Critical: an update every 30 minutes once acknowledged; each update restarts the clock.
    clock.advance(minutes=22, seconds=30)
    assert (await h.firebell.tick()).warnings == 1
    assert any("the SLA to post an update INC-1" in t for t in texts(h, room))
    await run(h, oc.sam, room, "update Still rolling back")
    clock.advance(minutes=22, seconds=30)
    assert (await h.firebell.tick()).warnings == 1  # a new cycle warns again


async def test_severity_change_recomputes_from_the_original_start(
    oc: OnCall, clock: FakeClock
) -> None:
    h = oc.h
    issue = await file_report(h, oc.dana, oc.support, severity="major")  # resolve within 1 day
    room = channel_of(h, issue)
    await run(h, oc.sam, room, "ack")
    clock.advance(hours=3, minutes=1)
    await run(h, oc.sam, room, "update Working on it")  # keep the update clock quiet
    assert (await h.firebell.tick()).warnings == 0
    await run(h, oc.sam, room, "severity critical")  # resolve within 4 h, from filing
    assert (await h.firebell.tick()).warnings == 1
    assert any("the SLA to resolve INC-1 runs out in 59m" in t for t in texts(h, room))


async def test_overrides_and_who_is_on_call(oc: OnCall, clock: FakeClock) -> None:
    h = oc.h
    shown = await run(h, oc.dana, oc.support, "oncall")
    assert f"Now: <@{oc.sam.id}>" in shown and f"Next: <@{oc.olga.id}>" in shown
    answer = await run(h, oc.dana, oc.support, f"override primary <@{oc.dana.id}> 2h")
    assert answer.startswith("Only an admin or whoever is on call for `primary` now")
    answer = await run(h, oc.sam, oc.support, f"override primary <@{oc.dana.id}> 2h")
    assert answer == f"<@{oc.dana.id}> is on call for `primary` until 2026-01-05 11:00 UTC."
    assert "(override)" in await run(h, oc.dana, oc.support, "oncall primary")
    assert "no schedule `nope`" in await run(h, oc.dana, oc.support, "oncall nope")
    await file_report(h, oc.dana, oc.support)
    clock.advance(minutes=14)
    assert (await h.firebell.tick()).pings == [f"user:{oc.dana.id}"]
    clock.advance(hours=24)  # the next day olga's shift has started
    assert "Now: <@" + oc.olga.id in await run(h, oc.sam, oc.support, "oncall")


async def test_catch_up_after_downtime_is_one_ping_per_issue(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support, ops = ws.add_channel("support", dana, ws.bot), ws.add_channel("ops", ws.bot)
    config = oncall_config(sandbox, sam, olga, ops, ws.add_usergroup(olga))
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as first:
            for _ in range(3):
                await file_report(first, dana, support) if _ == 0 else None
            issue = await _file_more(first, dana, support)
        clock.advance(hours=2)  # Firebell was down: warn, escalate and breach all passed
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as second:
            result = await second.firebell.tick()
            assert result.breaches == 2 and result.warnings == 0
            assert result.escalations_started == 2 and result.steps == 2
            room = channel_of(second, issue)
            sla_messages = [t for t in texts(second, room) if "SLA" in t or "Escalated" in t]
            assert len(sla_messages) == 2  # one breach notice and one escalation, no flood
            assert len(ws.dms_to(sam.id)) == 2  # one page per issue
            assert (await second.firebell.tick()).anything is False
    finally:
        await sandbox.stop()


async def _file_more(h: Harness, user: User, channel: Channel) -> object:
    from tests.helpers import GOOD_REPORT, issues, open_modal

    view = await open_modal(h, user, channel)
    await h.driver.submit_view(user, view, {**GOOD_REPORT, "title": "Second"})
    await h.firebell.settle()
    return issues(h.firebell.runtime.db)[-1]


async def test_weekly_digest_once_with_stale_issue_buttons(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support, ops = ws.add_channel("support", dana, sam, ws.bot), ws.add_channel("ops", ws.bot)
    review = ws.add_channel("bug-review", ws.bot)
    config = oncall_config(
        sandbox,
        sam,
        olga,
        ops,
        ws.add_usergroup(olga),
        admins=[sam.id],
        digest={"channel": review.id, "day": "mon", "at": "09:00", "stale_after": "7d"},
    )
    clock.advance(days=-14)  # file two weeks before the Monday 09:00 review
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            issue = await file_report(h, dana, support, severity="minor")
            clock.advance(days=14)
            await h.firebell.tick()
            await h.firebell.tick()
            digests = h.ws.messages_in(review.id)
            assert len(digests) == 1
            digest = digests[0]
            assert digest.text.startswith("Weekly issue review: 1 open")
            assert "*Stale* (1)" in str(digest.blocks) and "quiet for 14 days" in str(digest.blocks)
            await click(h, dana, digest, "digest_keep")
            assert "still_relevant" in timeline_kinds(h.firebell.runtime.db, issue)
            await click(h, dana, digest, "digest_close")
            assert "Nobody leads INC-1 yet" in h.ws.ephemerals_to(dana.id)[-1]
            await click(h, sam, digest, "digest_close")
            assert fresh(h.firebell.runtime.db, issue).status == "closed"
            clock.advance(days=7)
            await h.firebell.tick()
            assert len(h.ws.messages_in(review.id)) == 2  # next week's
    finally:
        await sandbox.stop()


async def test_a_crashed_tick_leaves_nothing_half_done(
    oc: OnCall, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    h = oc.h
    await file_report(h, oc.dana, oc.support)
    clock.advance(minutes=12)

    def crash(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("killed mid-tick")

    monkeypatch.setattr("bot.sla.engine.kinds.notice", crash)
    with pytest.raises(RuntimeError):
        h.firebell.runtime.engine.tick()
    monkeypatch.undo()
    with h.firebell.runtime.db.session() as session:
        assert session.exec(select(Notification)).all() == []  # rolled back whole
    assert (await h.firebell.tick()).warnings == 1  # the restarted engine fires it, once
    assert (await h.firebell.tick()).warnings == 0


async def test_a_page_slack_refuses_at_first_is_retried_once(oc: OnCall, clock: FakeClock) -> None:
    h = oc.h
    await file_report(h, oc.dana, oc.support)
    clock.advance(minutes=14)
    h.sandbox.faults.inject("chat.postMessage", "server_error", status=503)
    await h.firebell.tick()
    assert h.ws.dms_to(oc.sam.id) == []
    h.sandbox.faults.clear()
    clock.advance(minutes=5)  # past the outbox backoff
    await h.firebell.settle()
    assert len(h.ws.dms_to(oc.sam.id)) == 1
    await h.firebell.tick()
    await h.firebell.settle()
    assert len(h.ws.dms_to(oc.sam.id)) == 1  # not doubled


def fresh_issue(h: Harness) -> object:
    from tests.helpers import only_issue

    return only_issue(h.firebell.runtime.db)


async def test_a_second_escalate_pages_again_even_when_sqlite_reuses_the_row_id(
    database_url: str, clock: FakeClock
) -> None:
    """The first escalation runs its one step and is done; a person escalating again
    starts afresh. SQLite gives the new escalation row the id of the one it replaces,
    so a ledger key made of the id alone found the old page and sent nothing."""
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    config = FirebellConfig.model_validate(
        {
            "escalation_policies": [
                {"name": "once", "repeat": 0, "steps": [{"targets": [{"user": sam.id}]}]}
            ]
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            issue = await file_report(h, dana, support)
            for _ in range(2):
                assert "being escalated now" in await run(h, dana, channel_of(h, issue), "escalate")
                await h.firebell.tick()
                clock.advance(minutes=1)
            pages = [m for m in h.ws.dms_to(sam.id) if "needs you" in m.text]
            assert len(pages) == 2
    finally:
        await sandbox.stop()
