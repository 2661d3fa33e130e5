"""An issue's life through Slack: taking it, roles, severity, status, updates, closing."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from tests.helpers import (
    channel_of,
    file_report,
    fresh,
    last_text,
    people,
    run,
    timeline_kinds,
)


async def test_ack_takes_an_unowned_issue_and_starts_the_response_phase(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    room.members.add(sam.id)

    assert await run(h, sam, room, "ack") == "You acknowledged INC-1."
    issue = fresh(h.firebell.runtime.db, issue)
    assert (issue.status, issue.phase) == ("assigned", "response")
    assert issue.assignee_id == sam.id and issue.commander_id == sam.id
    assert issue.acknowledged_at is not None
    texts = [m.text for m in h.ws.messages_in(room.id)]
    assert f"<@{sam.id}> acknowledged INC-1." in texts
    assert any(t.startswith("Response checklist for INC-1") for t in texts)
    card = h.ws.messages_in(room.id)[0]
    assert card.edited and "Assigned (response)" in str(card.blocks)
    assert "Acknowledge" not in str(card.blocks)  # the button is gone once acknowledged
    dm = h.ws.dms_to(dana.id)[-1]
    assert "someone in engineering has taken it" in dm.text and dm.text.endswith("(Assigned)")
    assert await run(h, sam, room, "ack") == "INC-1 was already acknowledged."


async def test_only_the_leads_or_an_admin_may_steer(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    answer = await run(h, dana, room, "severity minor")
    assert answer == (
        "Nobody leads INC-1 yet, so only an admin can change the severity. "
        "Take it with `/incident ack` first."
    )
    await run(h, sam, room, "ack")
    answer = await run(h, dana, room, "status revise")
    assert answer == (f"Only the commander <@{sam.id}> or an admin can move it to Revise on INC-1.")
    assert await run(h, dana, room, f"assign <@{dana.id}>") == (
        f"Only the commander <@{sam.id}> or an admin can assign it on INC-1."
    )
    assert fresh(h.firebell.runtime.db, issue).status == "assigned"
    # Anyone in the channel may post an update.
    assert await run(h, dana, room, "update Customers see it on mobile too") == (
        "Update posted to INC-1."
    )
    assert "Customers see it on mobile too" in last_text(h, room)


async def test_admins_by_user_and_by_user_group_may_steer(
    database_url: str, clock: FakeClock
) -> None:
    from bot.config import FirebellConfig
    from bot.demo.harness import running
    from sandbox import Sandbox

    sandbox = await Sandbox().start()
    boss = sandbox.workspace.add_user("boss", "Boss")
    lead = sandbox.workspace.add_user("lead", "Lead")
    group = sandbox.workspace.add_usergroup(lead)
    config = FirebellConfig(admins=[boss.id, group])
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            dana, sam, support = people(h)
            issue = await file_report(h, dana, support)
            room = channel_of(h, issue)
            await run(h, sam, room, "ack")
            assert await run(h, boss, room, "severity minor") == "INC-1 severity is now Minor."
            assert await run(h, lead, room, "priority low") == "INC-1 priority is now Low."
            assert "Only the commander" in await run(h, dana, room, "priority high")
    finally:
        await sandbox.stop()


async def test_status_moves_only_along_the_lifecycle(h: Harness, clock: FakeClock) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    assert await run(h, sam, room, "status fixed") == (
        "INC-1 is Assigned; from there it can move to `revise`, not Fixed."
    )
    assert await run(h, sam, room, "deployed") == (
        "INC-1 is Assigned: mark it fixed before deployed "
        "(a fix can wait for a deploy, not the other way round)."
    )
    for step, expected in (
        ("status revise", "Revise"),
        ("status retest", "Retest"),
        ("status revise", "Revise"),
        ("status retest", "Retest"),
    ):
        clock.advance(minutes=5)
        assert await run(h, sam, room, step) == f"INC-1 moved to {expected}."
    clock.advance(minutes=5)
    assert await run(h, sam, room, "fixed") == "INC-1 moved to Fixed."
    clock.advance(hours=2)
    assert await run(h, sam, room, "deployed") == "INC-1 fix is deployed."
    issue = fresh(h.firebell.runtime.db, issue)
    assert issue.fixed_at is not None and issue.deployed_at is not None
    assert (issue.deployed_at - issue.fixed_at).total_seconds() == 7200
    assert issue.phase == "analysis"
    assert await run(h, sam, room, "close Rolled back the bad config") == "INC-1 moved to Closed."
    issue = fresh(h.firebell.runtime.db, issue)
    assert issue.status == "closed" and issue.closed_at is not None
    closing_dm = h.ws.dms_to(dana.id)[-1].text
    assert "is closed" in closing_dm and "Resolution:* Rolled back the bad config" in closing_dm
    assert await run(h, sam, room, "reopen") == "INC-1 reopened."
    issue = fresh(h.firebell.runtime.db, issue)
    assert (issue.status, issue.closed_at, issue.fixed_at) == ("assigned", None, None)
    assert "reopened" in timeline_kinds(h.firebell.runtime.db, issue)
    assert await run(h, sam, room, "reopen") == (
        "INC-1 is Assigned; only a Fixed or Closed issue reopens."
    )


async def test_roles_are_recorded_and_people_invited(h: Harness) -> None:
    dana, sam, support = people(h)
    kim = h.ws.add_user("kim", "Kim")
    lee = h.ws.add_user("lee", "Lee")
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    assert await run(h, sam, room, f"assign <@{sam.id}>") == f"INC-1 is assigned to <@{sam.id}>."
    assert await run(h, sam, room, f"role commander <@{kim.id}>") == (
        f"<@{kim.id}> is now commander of INC-1."
    )
    assert await run(h, kim, room, f"role comms <@{lee.id}>") == (
        f"<@{lee.id}> is now comms of INC-1."
    )
    assert await run(h, kim, room, f"role scribe <@{lee.id}>") == (
        f"<@{lee.id}> is now scribe of INC-1."
    )
    issue = fresh(h.firebell.runtime.db, issue)
    assert (issue.assignee_id, issue.commander_id, issue.status) == (sam.id, kim.id, "assigned")
    assert {sam.id, kim.id, lee.id} <= room.members
    card = str(h.ws.messages_in(room.id)[0].blocks)
    assert f"*Commander*\\n<@{kim.id}>" in card and f"*Assignee*\\n<@{sam.id}>" in card


async def test_commands_elsewhere_name_the_issue(h: Harness) -> None:
    dana, sam, support = people(h)
    await file_report(h, dana, support)
    assert await run(h, sam, support, "ack") == (
        "Run this in an issue's channel, or name the issue: `/incident ack INC-42 …`"
    )
    assert await run(h, sam, support, "ack INC-1") == "You acknowledged INC-1."
    assert await run(h, sam, support, "ack INC-9") == "There is no INC-9."


async def test_show_list_and_timeline(h: Harness, clock: FakeClock) -> None:
    dana, sam, support = people(h)
    first = await file_report(h, dana, support)
    clock.advance(minutes=1)
    await file_report_more(h, dana, support, "Search is slow")
    await run(h, sam, support, "ack INC-1")
    shown = await run(h, sam, support, "show INC-1")
    assert "INC-1: Checkout fails with 502" in shown and "issue_ack" not in shown
    listed = await run(h, sam, support, "list")
    assert "INC-2" in listed and "INC-1" in listed
    mine = await run(h, sam, support, "list mine")
    assert "INC-1" in mine and "INC-2" not in mine
    await run(h, sam, channel_of(h, first), "update Rolling back")
    events = await run(h, sam, support, "timeline INC-1")
    assert "Timeline of INC-1" in events and "filed the issue" in events
    assert "posted an update: Rolling back" in events and "acknowledged" in events


async def file_report_more(h: Harness, user: object, channel: object, title: str) -> None:
    from tests.helpers import GOOD_REPORT, open_modal

    view = await open_modal(h, user, channel)  # type: ignore[arg-type]
    await h.driver.submit_view(user, view, {**GOOD_REPORT, "title": title})  # type: ignore[arg-type]
    await h.firebell.settle()


async def test_private_issues_are_hidden_from_non_members(h: Harness) -> None:
    dana, sam, support = people(h)
    await file_report(h, dana, support, type="security", severity="major")
    assert "private" in await run(h, sam, support, "show INC-1")
    assert "INC-1" not in await run(h, sam, support, "list all")
    assert "INC-1" in await run(h, dana, support, "list all")


async def test_severity_words_people_use_are_understood(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, severity="minor")
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    assert await run(h, sam, room, "severity SEV1") == "INC-1 severity is now Critical."
    assert fresh(h.firebell.runtime.db, issue).severity == "critical"
    assert await run(h, sam, room, "severity p3") == "INC-1 severity is now Minor."
    answer = await run(h, sam, room, "severity sev5")
    assert answer.startswith("`sev5` is not a severity: use trivial, minor, major, critical")
