"""Pages on the worst day (issue 18): everyone paged can enter the issue's channel,
a page DM stops saying "needs you" once someone took the issue, each page says why it
was sent, and the escalation runs out of steps only when its last wait has passed."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, Message, User
from tests.helpers import channel_of, file_another, file_report, run, timeline_kinds


@dataclass
class Team:
    sandbox: Sandbox
    dana: User
    sam: User
    olga: User
    pat: User
    support: Channel
    group: str  # olga and pat


@pytest.fixture
async def team() -> AsyncIterator[Team]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam, olga, pat = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga", "pat"))
    support = ws.add_channel("support", dana, sam, ws.bot)
    try:
        yield Team(sandbox, dana, sam, olga, pat, support, ws.add_usergroup(olga, pat))
    finally:
        await sandbox.stop()


Start = Callable[..., AbstractAsyncContextManager[Harness]]


@pytest.fixture
def start(team: Team, database_url: str, clock: FakeClock) -> Start:
    """The bot with one escalation policy made of these steps (and policy fields)."""

    def with_policy(*steps: dict[str, object], **policy: object) -> AbstractAsyncContextManager:
        config = FirebellConfig.model_validate(
            {"escalation_policies": [{"name": "default", "steps": list(steps), **policy}]}
        )
        return running(database_url, clock=clock, config=config, sandbox=team.sandbox)

    return with_policy


def page_dms(h: Harness, user: User) -> list[Message]:
    return [m for m in h.ws.dms_to(user.id) if "INC-" in m.text]


def live(message: Message) -> bool:
    return "page_ack" in str(message.blocks)


def edits_of(h: Harness, message: Message) -> int:
    return sum(1 for c in h.ws.calls_to("chat.update") if c.ok and c.args.get("ts") == message.ts)


async def test_everyone_paged_is_invited_into_a_private_channel_first(
    team: Team, start: Start, clock: FakeClock
) -> None:
    group = {"usergroup": team.group}
    async with start({"targets": [{"user": team.sam.id}, group], "wait": "10m"}) as h:
        issue = await file_report(h, team.dana, team.support, private=["private"])
        room = channel_of(h, issue)
        assert room.is_private and not {team.sam.id, team.olga.id} & room.members
        clock.advance(minutes=14)
        await h.firebell.tick()
        await h.firebell.settle()

        assert {team.sam.id, team.olga.id, team.pat.id} <= room.members
        # Sam is in before the DM whose "Open channel" leads there.
        calls = h.ws.calls
        invited = next(
            i
            for i, c in enumerate(calls)
            if c.method == "conversations.invite" and c.args.get("users") == team.sam.id
        )
        paged = next(
            i
            for i, c in enumerate(calls)
            if c.method == "chat.postMessage" and c.args.get("channel") == team.sam.id
        )
        assert invited < paged
        [dm] = page_dms(h, team.sam)
        assert room.id in str(dm.blocks)  # the Open channel link
        assert timeline_kinds(h.firebell.runtime.db, issue).count("paged_invited") == 2
        timeline = await run(h, team.dana, room, "timeline")
        assert f"invited <@{team.sam.id}> into the channel, paged about the issue" in timeline
        assert f"<@{team.olga.id}>, <@{team.pat.id}> (of <!subteam^{team.group}>)" in timeline

        # The group's page is posted in the issue's own channel: nobody is told to join it.
        page = f":rotating_light: <!subteam^{team.group}> *INC-1* needs attention: "
        [mention] = [m.text for m in h.ws.messages_in(room.id) if m.text.startswith(page)]
        assert "Join" not in mention and "Its members are in" not in mention

        clock.advance(minutes=30)  # a second round pages again, and invites nobody twice
        await h.firebell.tick()
        await h.firebell.settle()
        assert timeline_kinds(h.firebell.runtime.db, issue).count("paged_invited") == 2


async def test_every_page_dm_says_who_took_it_once(
    team: Team, start: Start, clock: FakeClock
) -> None:
    steps = ({"targets": [{"user": team.sam.id}], "wait": "10m"},)
    then = {"targets": [{"user": team.olga.id}], "wait": "10m"}
    async with start(*steps, then) as h:
        issue = await file_report(h, team.dana, team.support)
        room = channel_of(h, issue)
        clock.advance(minutes=14)
        await h.firebell.tick()
        clock.advance(minutes=10)
        await h.firebell.tick()
        await h.firebell.settle()
        [sams], [olgas] = page_dms(h, team.sam), page_dms(h, team.olga)
        assert live(sams) and live(olgas)

        h.sandbox.faults.inject("chat.update", "server_error", status=503, times=1)
        await run(h, team.pat, room, "ack")  # in the channel, not from a page
        clock.advance(minutes=5)  # past the outbox's backoff: the edit is retried
        await h.firebell.settle()
        for user in (team.sam, team.olga):
            [dm] = page_dms(h, user)
            assert not live(dm) and dm.text.startswith(":white_check_mark: *INC-1*")
            assert f"Acknowledged by <@{team.pat.id}>" in str(dm.blocks)
            assert edits_of(h, dm) == 1
        failed = [c for c in h.ws.calls_to("chat.update") if not c.ok]
        assert [c.args["ts"] for c in failed] == [sams.ts]  # the first edit, retried

        # Paged by hand after the ack: that page is live until the issue is fixed.
        await run(h, team.pat, room, f"page <@{team.sam.id}> still broken?")
        later = page_dms(h, team.sam)[-1]
        assert live(later)
        for step in ("status revise", "status retest", "fixed"):
            await run(h, team.pat, room, step)
        await h.firebell.settle()
        later = page_dms(h, team.sam)[-1]
        assert not live(later) and f"Fixed by <@{team.pat.id}>" in str(later.blocks)
        await run(h, team.pat, room, "close")
        await h.firebell.settle()
        assert [edits_of(h, dm) for dm in page_dms(h, team.sam)] == [1, 1]


async def test_a_page_says_why_it_was_sent(team: Team, start: Start, clock: FakeClock) -> None:
    step = {"targets": [{"user": team.sam.id}], "wait": "10m"}
    async with start(step, start="on_open", on_open_severities=["sev1"]) as h:
        await file_report(h, team.dana, team.support)  # Critical: pages at once
        await h.firebell.tick()
        await h.firebell.settle()
        [opened] = page_dms(h, team.sam)
        assert "It was opened as Critical, which pages at once." in opened.text

        major = await file_another(h, team.dana, team.support, severity="major", title="Slow")
        clock.advance(minutes=1)  # one minute into a one-hour SLA, someone asks
        await run(h, team.dana, channel_of(h, major), "escalate")
        await h.firebell.settle()
        asked = page_dms(h, team.sam)[-1]
        assert f"<@{team.dana.id}> asked to escalate it now" in asked.text
        assert "running out" not in asked.text

        later = await file_another(h, team.dana, team.support, severity="major", title="Later")
        clock.advance(minutes=54)  # 90 % of its hour: the SLA escalates
        await h.firebell.tick()
        await h.firebell.settle()
        by_sla = page_dms(h, team.sam)[-1]
        assert later.key in by_sla.text
        assert "The SLA to acknowledge it is at 90 % (due " in by_sla.text


async def test_the_escalation_runs_out_when_the_last_wait_has_passed(
    team: Team, start: Start, clock: FakeClock
) -> None:
    async with start({"targets": [{"user": team.sam.id}], "wait": "10m"}) as h:
        issue = await file_report(h, team.dana, team.support)
        clock.advance(minutes=14)
        assert (await h.firebell.tick()).steps == 1
        db = h.firebell.runtime.db
        assert "escalation_exhausted" not in timeline_kinds(db, issue)
        clock.advance(minutes=9)
        await h.firebell.tick()
        assert "escalation_exhausted" not in timeline_kinds(db, issue)
        clock.advance(minutes=1)  # step 1's wait is over and nobody answered
        await h.firebell.tick()
        assert timeline_kinds(db, issue).count("escalation_exhausted") == 1
        assert len(page_dms(h, team.sam)) == 1
