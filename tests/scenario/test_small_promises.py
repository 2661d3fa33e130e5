"""Small promises a new user found broken: each test failed before its fix."""

from __future__ import annotations

from datetime import timedelta

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from tests.helpers import PATIENT, channel_of, click, file_report, new_view, people, run


async def test_a_long_timeline_keeps_its_beginning_and_says_what_it_leaves_out(
    h: Harness,
) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    room.members.add(sam.id)
    await run(h, sam, room, "ack")
    for n in range(45):
        await run(h, sam, room, f"update step {n}")
    shown = await run(h, sam, room, "timeline")
    assert "filed the issue" in shown and "posted an update: step 44" in shown
    assert "more events between these" in shown and "in all" in shown


async def test_escalate_on_a_fixed_issue_pages_nobody(h: Harness) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    for step in ("ack", "status revise", "status retest", "fixed"):
        await run(h, sam, room, step)
    reply = await run(h, sam, room, "escalate")
    assert reply.startswith("INC-1 is Fixed: no SLA is running out")
    assert h.ws.calls_to("chat.postMessage")[-1].args.get("channel") == room.id  # no DM


async def test_a_breach_without_a_policy_does_not_promise_a_page(
    h: Harness, clock: FakeClock
) -> None:
    dana, _sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))  # critical: 15 min to ack
    clock.advance(minutes=16)
    assert (await h.firebell.tick()).breaches == 1
    breach = next(m.text for m in h.ws.messages_in(room.id) if "is breached" in m.text)
    assert "nobody is paged" in breach and "Escalating" not in breach


async def test_the_review_offer_follows_the_move_to_fixed(h: Harness) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    for step in ("ack", "status revise", "status retest", "fixed"):
        await run(h, sam, room, step)
    texts = [m.text for m in h.ws.messages_in(room.id)]
    moved = next(i for i, t in enumerate(texts) if "Retest → *Fixed*" in t)
    offer = next(i for i, t in enumerate(texts) if "draft the review?" in t)
    assert moved < offer


async def test_the_review_form_refuses_a_past_date_and_an_owner_without_an_action(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    for step in ("ack", "status revise", "status retest", "fixed"):
        await run(h, sam, room, step)
    await run(h, sam, room, "review")
    review = next(m for m in h.ws.messages_in(room.id) if m.text.startswith("Post-incident"))
    seen = set(h.ws.views)
    await click(h, sam, review, "review_edit")
    form = await new_view(h, sam, seen)
    past = (clock.now().date() - timedelta(days=1)).isoformat()
    answer = await h.driver.submit_view(
        sam,
        form,
        {"root_cause": "A bad config push", "action_title1": "Add a canary", "action_due1": past},
    )
    assert "action_due1" in answer.json["errors"]
    answer = await h.driver.submit_view(
        sam, form, {"root_cause": "A bad config push", "action_owner2": dana.id}
    )
    assert "action_title2" in answer.json["errors"]
    tomorrow = (clock.now().date() + timedelta(days=1)).isoformat()
    await h.driver.submit_view(
        sam,
        form,
        {
            "root_cause": "A bad config push",
            "action_title1": "Add a canary",
            "action_owner1": dana.id,
            "action_due1": tomorrow,
        },
    )
    await h.firebell.settle()
    await click(h, sam, review, "review_publish")
    assert any("with 1 action item." in m.text for m in h.ws.messages_in(room.id))


async def test_lists_say_minutes_not_zero_hours_and_the_card_names_comms_and_scribe(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    clock.advance(minutes=12)
    assert "filed 12m ago" in await run(h, dana, support, "list")  # New: nobody took it yet
    await run(h, sam, room, "ack")
    await run(h, sam, room, f"role comms <@{dana.id}|dana>")
    card = h.ws.messages_in(room.id)[0]
    assert f"*Comms*\\n<@{dana.id}>" in str(card.blocks)


async def test_slack_away_at_the_first_request_is_said_in_words(database_url: str) -> None:
    """Bolt asks auth.test before any listener; with Slack's API away that was an empty
    500. Now the person reads what is wrong, and Slack gets its 200."""
    from bot.demo.harness import running
    from sandbox import Sandbox

    sandbox = await Sandbox().start()
    async with running(database_url, sandbox=sandbox, slack_timeout_seconds=PATIENT) as h:
        dana, _sam, support = people(h)
        await sandbox.stop()  # Slack's API goes away before the first request
        reply = await h.driver.slash_command(dana, support, "list")
    assert reply.status == 200
    assert reply.text.startswith("Firebell cannot reach Slack's API just now (error id `E")
