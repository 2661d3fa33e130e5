"""Exactly once as Slack sees it: Slack performs a call but answers after the client gave
up; the retry finds what the first attempt did instead of doing it again."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from bot.incidents import kinds
from sandbox.workspace import User
from tests.helpers import (
    GOOD_REPORT,
    IMPATIENT,
    file_from_message,
    only_issue,
    open_modal,
    pending_outbox,
    people,
)

# Every test here holds one of Slack's answers past the bot's patience.
pytestmark = pytest.mark.slack_timeout(IMPATIENT)


async def file_while_late(h: Harness, method: str, clock: FakeClock) -> User:
    """File an issue while Slack is late to answer `method` once, then let it catch up;
    returns the reporter."""
    dana, _, support = people(h)
    h.sandbox.faults.inject(method, "late", times=1)
    view = await open_modal(h, dana, support)
    assert (await h.driver.submit_view(dana, view, GOOD_REPORT)).status == 200
    await h.firebell.settle()  # the call was performed; its answer never came in time
    performed = [c for c in h.ws.calls_to(method) if c.ok]
    assert len(performed) == 1 and getattr(performed[0], "late", False)
    h.sandbox.faults.clear()
    clock.advance(minutes=1)  # past the backoff: the item is tried again
    await h.firebell.settle()
    assert pending_outbox(h.firebell.runtime.db) == []
    return dana


async def test_a_card_slack_posted_late_is_not_posted_twice(h: Harness, clock: FakeClock) -> None:
    await file_while_late(h, "chat.postMessage", clock)
    issue = only_issue(h.firebell.runtime.db)
    room = h.ws.channels[issue.channel_id or ""]
    cards = [m for m in h.ws.messages_in(room.id) if m.text.startswith("INC-1:")]
    assert len(cards) == 1 and issue.card_ts == cards[0].ts
    assert cards[0].metadata and cards[0].metadata["event_type"] == "firebell_outbox"


async def test_a_channel_slack_created_late_is_adopted_not_doubled(
    h: Harness, clock: FakeClock
) -> None:
    await file_while_late(h, "conversations.create", clock)
    issue = only_issue(h.firebell.runtime.db)
    mine = [c for c in h.ws.channels.values() if c.name.startswith("inc-1")]
    assert [c.name for c in mine] == ["inc-1-checkout-fails-with-502"]
    assert issue.channel_id == mine[0].id
    assert len([m for m in h.ws.messages_in(mine[0].id) if m.text.startswith("INC-1:")]) == 1


async def test_a_dm_slack_sent_late_is_not_sent_twice(h: Harness, clock: FakeClock) -> None:
    dana = await file_while_late(h, "pins.add", clock)  # pins.add is harmless to repeat
    issue = only_issue(h.firebell.runtime.db)
    dms_before = len(h.ws.dms_to(dana.id))
    with h.firebell.runtime.db.session() as session:
        kinds.tell_reporter(session, clock, issue, "new", "assigned", None)
    h.sandbox.faults.inject("chat.postMessage", "late", times=1)
    await h.firebell.settle()
    h.sandbox.faults.clear()
    clock.advance(minutes=1)
    await h.firebell.settle()
    updates = h.ws.dms_to(dana.id)[dms_before:]
    assert [m.text.count("someone in engineering has taken it") for m in updates] == [1]
    assert pending_outbox(h.firebell.runtime.db) == []


async def test_a_thread_reply_slack_sent_late_is_not_sent_twice(
    h: Harness, clock: FakeClock
) -> None:
    dana, _sam, support = people(h)
    said = h.ws.post(support, dana, "Checkout returns 502 for everyone")
    await file_from_message(h, dana, said, **GOOD_REPORT)
    issue = only_issue(h.firebell.runtime.db)

    def replies() -> list[str]:
        return [m.text for m in h.ws.messages_in(support.id) if m.thread_ts == said.ts]

    assert len(replies()) == 1
    with h.firebell.runtime.db.session() as session:
        kinds.send(session, clock, issue, kinds.ReplyInSource())  # as a retry would
    h.sandbox.faults.inject("chat.postMessage", "late", times=1)
    await h.firebell.settle()
    h.sandbox.faults.clear()
    clock.advance(minutes=1)
    await h.firebell.settle()
    assert len(replies()) == 2  # the late one counted once, found in the thread
    assert pending_outbox(h.firebell.runtime.db) == []
