"""What Firebell says about an issue's state is true for whoever reads it: list ages that
fit the status, duplicate suggestions that only offer what works, reporter DMs in a
support person's words, and proposals that stop offering a move once it is made."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from sandbox.workspace import Message, User
from tests.helpers import channel_of, click, file_another, file_report, fresh, people, run

SIMILAR = {
    "title": "Checkout fails with 502 on the payment step",
    "description": "Customers get a 502 Bad Gateway when they press Pay. pay-gw times out.",
    "service": "checkout-api",
    "trace_id": "",
    "stack_trace": "",
}


def list_line(listing: str, key: str) -> str:
    """The line of one issue in `/incident list`, status and age included."""
    start = listing.index(f"*{key}*")
    return listing[start : listing.index("'}", start)]


async def test_list_ages_read_right_for_every_status(h: Harness, clock: FakeClock) -> None:
    dana, sam, support = people(h)
    first = await file_report(h, dana, support)
    room = channel_of(h, first)
    for step in ("ack", "status revise", "status retest", "fixed"):
        await run(h, sam, room, step)
    clock.advance(minutes=62)
    await file_another(h, dana, support, title="Search is slow")  # INC-2, New
    await run(h, sam, channel_of(h, await file_another(h, dana, support)), "ack")  # INC-3
    clock.advance(minutes=3)
    listing = await run(h, sam, support, "list all")
    assert list_line(listing, "INC-1").endswith("· fixed 1h ago")
    assert list_line(listing, "INC-2").endswith("· filed 3m ago")
    assert list_line(listing, "INC-3").endswith("· open 3m")

    await run(h, sam, room, "close")
    clock.advance(minutes=2)
    line = list_line(await run(h, sam, support, "list all"), "INC-1")
    assert line.endswith("Closed · Critical · lead <@" + sam.id + "> · closed 2m ago")


def suggestion_dm(h: Harness, user: User) -> Message:
    return next(m for m in reversed(h.ws.dms_to(user.id)) if "looks like" in m.text)


async def test_a_closed_lookalike_is_not_offered_for_a_merge(h: Harness, clock: FakeClock) -> None:
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    first = await file_another(h, dana, support, **SIMILAR)
    room = channel_of(h, first)
    for step in ("ack", "status revise", "status retest", "fixed", "close"):
        await run(h, sam, room, step)
    clock.advance(minutes=3)

    await file_another(h, olga, support, **SIMILAR)  # INC-2: Olga may not reopen INC-1
    dm = suggestion_dm(h, olga)
    shown = str(dm.blocks)
    assert "Merge into INC-1" not in shown and "merge_duplicate" not in shown
    assert "similar, closed today (possible regression)" in shown
    assert "/incident reopen" not in shown
    assert "the same service, filed 3 minutes apart" in shown
    assert "Merging closes your report" not in shown  # nothing here takes a merge

    clock.advance(minutes=1)
    await file_another(h, sam, support, **SIMILAR)  # INC-3: Sam leads INC-1
    shown = str(suggestion_dm(h, sam).blocks)
    assert "(possible regression): reopen with `/incident reopen INC-1`" in shown
    assert "Merge into INC-1" not in shown
    assert "Merge into INC-2" in shown  # an open lookalike still takes a merge
    assert "filed 1 minute apart" in shown


async def test_reporter_dms_say_what_the_status_means(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, title="Pay <button> & <@U1> broken")
    room = channel_of(h, issue)
    seen = len(h.ws.dms_to(dana.id))
    for step in ("ack", "status revise", "status retest", "status revise"):
        await run(h, sam, room, step)
    updates = h.ws.dms_to(dana.id)[seen:]
    said = [str(m.blocks[0]["text"]["text"]).split(": ", 1)[1] for m in updates]
    assert said == [
        "someone in engineering has taken it and is looking into it.",
        "engineering is working on a fix.",
        "a fix is ready and being checked.",
        "the fix did not pass its check; engineering is on it again.",
    ]
    last = updates[-1]
    assert last.blocks[1]["type"] == "context"
    assert last.blocks[1]["elements"][0]["text"] == "Status: Revise · was Retest"
    assert last.text.endswith("engineering is on it again. (Revise)")
    assert "moved from" not in last.text
    assert "Pay &lt;button&gt; &amp; &lt;@U1&gt; broken" in last.text  # user text escaped


async def test_a_used_move_button_is_replaced_by_who_moved_it(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, type="bug", severity="minor")  # bug playbook
    room = channel_of(h, issue)
    room.members.add(sam.id)
    await run(h, sam, room, "ack")
    checklist = next(
        m for m in reversed(h.ws.messages_in(room.id)) if m.text.startswith("Response checklist")
    )
    await click(h, sam, checklist, "step_done", "1:triage")
    proposal = h.ws.messages_in(room.id)[-1]
    assert "issue_move_status" in str(proposal.blocks)
    await click(h, sam, proposal, "issue_move_status", "1:revise")
    assert fresh(h.firebell.runtime.db, issue).status == "revise"
    used = next(m for m in h.ws.messages_in(room.id) if m.ts == proposal.ts)
    assert used.edited
    assert used.text == f"<@{sam.id}> moved INC-1 to *Revise*."
    assert "issue_move_status" not in str(used.blocks)
