"""Status updates with a shape: what is happening, customer impact, next update in.
The promise sets the update clock, and the reporter's DM carries the update."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from storage.models import SlaClock
from tests.helpers import channel_of, file_report, new_view, people, run


async def test_the_update_form_posts_tells_the_reporter_and_sets_the_next_update(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")

    seen = set(h.ws.views)
    assert (await h.driver.slash_command(sam, room, "update")).status == 200
    view = await new_view(h, sam, seen)
    assert view.view["callback_id"] == "post_update"
    reply = await h.driver.submit_view(sam, view, {"update_text": "  "})
    assert reply.json["errors"] == {"update_text": reply.json["errors"]["update_text"]}
    assert "Write the update" in reply.json["errors"]["update_text"]

    answers = {
        "update_text": "Rolled back v41; error rate falling.",
        "update_impact": "EU customers could not pay for 20 minutes.",
        "next_update": "1h",
    }
    assert (await h.driver.submit_view(sam, view, answers)).status == 200
    await h.firebell.settle()
    posted = h.ws.messages_in(room.id)[-1].text
    assert posted.startswith(f":mega: *Update on INC-1* from <@{sam.id}>")
    assert "*Customer impact:* EU customers could not pay for 20 minutes." in posted
    assert "_Next update in 1h._" in posted
    dm = h.ws.dms_to(dana.id)[-1]
    assert dm.text == "Update on INC-1: Rolled back v41; error rate falling."
    assert "Customer impact" in str(dm.blocks) and "Next update by" in str(dm.blocks)

    with h.firebell.runtime.db.session() as session:
        update = session.exec(select(SlaClock).where(SlaClock.kind == "update")).one()
    assert update.due_at - update.started_at == timedelta(hours=1)  # the promise, not 30m
    clock.advance(minutes=45)  # 75 % of the hour promised
    await h.firebell.tick()
    await h.firebell.settle()
    assert any("post an update" in m.text and "15m" in m.text for m in h.ws.messages_in(room.id))


async def test_an_update_by_text_reaches_the_reporter_too(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    assert await run(h, sam, room, "update Still looking at the gateway") == (
        "Update posted to INC-1."
    )
    await h.firebell.settle()
    assert h.ws.dms_to(dana.id)[-1].text == "Update on INC-1: Still looking at the gateway"
    await run(h, dana, room, "update It fails on mobile too")  # the reporter's own: no DM
    await h.firebell.settle()
    assert h.ws.dms_to(dana.id)[-1].text == "Update on INC-1: Still looking at the gateway"
