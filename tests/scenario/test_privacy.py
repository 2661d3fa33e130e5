"""Private issues are seen only by their members, on every surface that lists or counts
issues: elsewhere they appear only as a count."""

from __future__ import annotations

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.core.membership import can_see, members_of
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, Message, User
from tests.helpers import (
    GOOD_REPORT,
    channel_of,
    click,
    file_another,
    fresh,
    open_modal,
    people,
    run,
)

SECRET_TITLE = "Payroll export leaks salaries"


async def file(h: Harness, user: User, channel: Channel, **answers: object) -> None:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def test_lists_home_and_digest_show_a_private_issue_only_to_its_members(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam, olga = (ws.add_user(n, n.title()) for n in ("dana", "sam", "olga"))
    support = ws.add_channel("support", dana, sam, olga, ws.bot)
    review = ws.add_channel("bug-review", dana, sam, olga, ws.bot)  # a public channel
    config = FirebellConfig(
        digest={"channel": review.id, "day": "mon", "at": "09:00", "stale_after": "7d"}
    )
    clock.advance(days=-7)
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            await file(h, dana, support, title="Checkout is slow")
            await file(h, dana, support, title=SECRET_TITLE, private=["private"])

            outsider = await h.driver.slash_command(olga, support, "list")
            seen = str(outsider.json.get("blocks"))
            assert "Checkout is slow" in seen and SECRET_TITLE not in seen
            assert "1 private issue, seen only by its members" in seen

            reporter = str((await h.driver.slash_command(dana, support, "list")).json["blocks"])
            assert SECRET_TITLE in reporter and "private issue" not in reporter

            home = {"type": "app_home_opened", "tab": "home"}
            await h.driver.event(h.driver.event_payload({**home, "user": olga.id}))
            await h.firebell.settle()
            olga_home = str(h.ws.calls_to("views.publish")[-1].args)
            assert SECRET_TITLE not in olga_home
            await h.driver.event(h.driver.event_payload({**home, "user": dana.id}))
            await h.firebell.settle()
            assert SECRET_TITLE in str(h.ws.calls_to("views.publish")[-1].args)

            clock.advance(days=7)
            await h.firebell.tick()
            (digest,) = h.ws.messages_in(review.id)
            shown = digest.text + str(digest.blocks)
            assert "Checkout is slow" in shown and SECRET_TITLE not in shown
            assert "Not listed here: 1 private issue, seen only by its members." in shown
            assert digest.text.startswith("Weekly issue review: 1 open")
            # The week's figures count the private issue too, and name no issue.
            assert "*The last 7 days*" in shown and "*Filed*\\n2" in shown
    finally:
        await sandbox.stop()


async def test_a_reporter_moved_by_a_merge_is_a_member_on_every_surface(h: Harness) -> None:
    """Before one rule, the merged reporter was "in" for duplicate suggestions (a
    participant row) and out for lists, search and `show` (not in the Slack channel).
    Made a member on purpose: the person merging is asked first (test_merge_privacy.py)."""
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    secret = await file_another(h, dana, support, title=SECRET_TITLE, private=["private"])
    room = channel_of(h, secret)
    await h.driver.event(h.driver.joined(sam, room))  # sam joins the private channel
    await h.firebell.settle()
    assert await run(h, sam, room, "ack") == "You acknowledged INC-1."
    await file_another(h, olga, support, title="Salaries visible to everyone in the export")
    reply = await h.driver.slash_command(sam, support, "merge INC-2 into INC-1")
    asked = Message(support.id, "1.000001", h.ws.bot.id, reply.text, reply.json["blocks"])
    await click(h, sam, asked, "merge_add_reporters")
    assert "INC-2 is merged into INC-1." in h.ws.ephemerals_to(sam.id)

    assert olga.id in room.members  # a reporter by the merge, invited to the channel
    assert SECRET_TITLE in await run(h, olga, support, "show INC-1")
    mine = await run(h, olga, support, "list mine")
    assert SECRET_TITLE in mine and "private issue" not in mine
    assert SECRET_TITLE in await run(h, olga, support, "search salaries")
    await h.driver.event(h.driver.home_opened(olga))
    await h.firebell.settle()
    assert SECRET_TITLE in str(h.ws.calls_to("views.publish")[-1].args)
    # The same rule that duplicate suggestions ask.
    with h.firebell.runtime.db.session() as session:
        assert can_see(session, olga.id, fresh(h.firebell.runtime.db, secret))


async def test_joining_and_leaving_a_private_channel_is_membership(h: Harness) -> None:
    dana, sam, support = people(h)
    secret = await file_another(h, dana, support, title=SECRET_TITLE, private=["private"])
    room = channel_of(h, secret)
    assert "private" in await run(h, sam, support, "show INC-1")
    await h.driver.event(h.driver.joined(sam, room))
    await h.firebell.settle()
    assert SECRET_TITLE in await run(h, sam, support, "search payroll")
    await h.driver.event(h.driver.left(sam, room))
    await h.firebell.settle()
    assert "private" in await run(h, sam, support, "show INC-1")
    assert SECRET_TITLE not in await run(h, sam, support, "search payroll")
    await h.driver.event(h.driver.joined(h.ws.bot, room))  # Firebell itself is no member
    await h.firebell.settle()
    with h.firebell.runtime.db.session() as session:
        assert h.ws.bot.id not in members_of(session, fresh(h.firebell.runtime.db, secret))
