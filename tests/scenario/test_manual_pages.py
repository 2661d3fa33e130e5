"""`/incident page`: a person, a user group or whoever is on call, paged now with
Acknowledge; on the timeline; one page per press even when Slack sends it twice."""

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
from storage.models import OutboxItem, PageSent
from tests.helpers import channel_of, click, file_report, run, timeline_kinds


@dataclass
class Team:
    h: Harness
    dana: User
    sam: User
    olga: User
    support: Channel
    group: str


@pytest.fixture
async def t(database_url: str, clock: FakeClock) -> AsyncIterator[Team]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support = ws.add_channel("support", dana, sam, ws.bot)
    group = ws.add_usergroup(sam, olga)
    config = FirebellConfig.model_validate(
        {
            "schedules": [
                {
                    "name": "primary",
                    "rotations": [{"participants": [olga.id], "handoff": "2026-01-05T09:00"}],
                }
            ]
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            yield Team(h, dana, sam, olga, support, group)
    finally:
        await sandbox.stop()


def pages(t: Team, user: User) -> list[str]:
    return [m.text for m in t.h.ws.dms_to(user.id) if "needs you" in m.text]


async def test_a_person_is_paged_once_per_press_and_acknowledges(t: Team) -> None:
    h = t.h
    issue = await file_report(h, t.dana, t.support)
    room = channel_of(h, issue)
    payload = h.driver.command_payload(t.dana, room, f"page <@{t.olga.id}|olga> DB is on fire")
    for _ in range(2):  # Slack delivers the same command twice
        reply = await h.driver._send("command", payload)
        assert reply.status == 200
    await h.firebell.settle()
    [page] = pages(t, t.olga)
    assert f"<@{t.dana.id}> paged you: “DB is on fire”" in page
    assert t.olga.id in room.members  # invited to the issue channel
    notices = [m.text for m in h.ws.messages_in(room.id)]
    assert f":mega: <@{t.dana.id}> paged <@{t.olga.id}> about INC-1: “DB is on fire”" in notices
    assert timeline_kinds(h.firebell.runtime.db, issue).count("paged") == 1

    dm = next(m for m in h.ws.dms_to(t.olga.id) if "needs you" in m.text)
    await click(h, t.olga, dm, "page_ack")
    await h.firebell.settle()
    assert h.ws.dms_to(t.olga.id)[-1].text.startswith(":white_check_mark: *INC-1*")
    room_texts = [m.text for m in h.ws.messages_in(room.id)]
    assert f"<@{t.olga.id}> acknowledged the page for INC-1." in room_texts
    assert "page_acknowledged" in timeline_kinds(h.firebell.runtime.db, issue)


async def test_a_group_and_a_schedule_are_paged_and_counted_as_load(t: Team) -> None:
    h = t.h
    issue = await file_report(h, t.dana, t.support)
    room = channel_of(h, issue)
    answer = await run(h, t.dana, room, f"page <!subteam^{t.group}|@db-team>")
    assert answer == f"Paged <!subteam^{t.group}> about INC-1."
    answer = await run(h, t.sam, room, "page schedule primary can you look at the replica?")
    assert answer == f"Paged <@{t.olga.id}> (on call for primary) about INC-1."
    await h.firebell.settle()
    texts = [m.text for m in h.ws.messages_in(room.id)]
    assert any(text.startswith(f":rotating_light: <!subteam^{t.group}> *INC-1*") for text in texts)
    assert "can you look at the replica?" in pages(t, t.olga)[0]
    with h.firebell.runtime.db.session() as session:
        rows = session.exec(select(PageSent)).all()
    assert sorted((r.target_kind, r.schedule) for r in rows) == [
        ("user", "primary"),
        ("usergroup", None),
    ]


async def test_a_page_that_cannot_be_sent_says_what_would_work(t: Team) -> None:
    h = t.h
    issue = await file_report(h, t.dana, t.support)
    room = channel_of(h, issue)
    assert (await run(h, t.dana, room, "page schedule nights")).startswith(
        "There is no schedule `nights` (schedules: primary)."
    )
    assert (await run(h, t.dana, room, "page sam")).startswith("Say whom to page: a person")
    assert await run(h, t.dana, t.support, f"page <@{t.sam.id}>") == (
        "Run this in an issue's channel, or name the issue: `/incident page INC-42 …`"
    )
    assert "paged" not in timeline_kinds(h.firebell.runtime.db, issue)


async def test_a_target_slack_does_not_have_is_refused_before_anything_is_queued(t: Team) -> None:
    h = t.h
    issue = await file_report(h, t.dana, t.support)
    room = channel_of(h, issue)
    gone = h.ws.add_user("gone", "Gone")
    gone.deleted = True
    empty = h.ws.add_usergroup()
    nobody = ", so nobody was paged."
    refusals = {
        "page <@U0NOSUCH>": "`U0NOSUCH` is not a person in this workspace" + nobody,
        f"page <@{gone.id}|gone> hello": f"<@{gone.id}> has left this workspace" + nobody,
        f"page <@{h.ws.bot.id}>": f"<@{h.ws.bot.id}> is an app, not a person" + nobody,
        "page <!subteam^S0NOSUCH|@ghosts>": "`S0NOSUCH` is not a user group in this workspace"
        + nobody,
        f"page <!subteam^{empty}|@empty>": f"<!subteam^{empty}> has nobody in it" + nobody,
    }
    with h.firebell.runtime.db.session() as session:
        queued_before = len(session.exec(select(OutboxItem)).all())
    for command, refusal in refusals.items():
        assert await run(h, t.dana, room, command) == refusal
    with h.firebell.runtime.db.session() as session:
        assert len(session.exec(select(OutboxItem)).all()) == queued_before
        assert session.exec(select(PageSent)).all() == []
    assert "paged" not in timeline_kinds(h.firebell.runtime.db, issue)
    assert "U0NOSUCH" not in room.members


async def test_a_page_goes_when_slack_is_too_slow_to_check_the_person(t: Team) -> None:
    h = t.h
    issue = await file_report(h, t.dana, t.support)
    room = channel_of(h, issue)
    h.sandbox.faults.inject("users.info", "timeout", times=1, hold=2.5)
    assert await run(h, t.dana, room, f"page <@{t.olga.id}>") == (
        f"Paged <@{t.olga.id}> about INC-1."
    )
    assert pages(t, t.olga)
