"""Duplicates found at intake, merged or dismissed; links; every reporter kept in the
loop; the priority raised when reports pile up."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.triage.duplicates import find_duplicates
from sandbox.workspace import Message, User
from tests.helpers import channel_of, click, file_another, fresh, issues, people, run

CONFIG = FirebellConfig.model_validate(
    {"triage": {"raise_priority": {"reports": 3, "within": "2h", "to": "high"}}}
)
FIRST = {
    "title": "Checkout fails with 502 on the payment step",
    "description": "Customers get a 502 Bad Gateway when they press Pay. pay-gw times out.",
    "service": "checkout-api",
    "priority": "low",
}
AGAIN = {
    "title": "Payment page shows 502 error when paying",
    "description": "I pressed Pay and got a 502 Bad Gateway page.",
    "service": "checkout-api",
    "priority": "low",
    "trace_id": "",
    "stack_trace": "",
}


@pytest.fixture
async def hd(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as h:
        yield h


def suggestion_dm(h: Harness, user: User) -> Message:
    return next(m for m in reversed(h.ws.dms_to(user.id)) if "looks like" in m.text)


async def test_a_repeat_report_is_suggested_merged_and_its_reporter_follows_the_first(
    hd: Harness, clock: FakeClock
) -> None:
    h = hd
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    first = await file_another(h, dana, support, **FIRST)
    clock.advance(minutes=10)
    second = await file_another(h, olga, support, **AGAIN)
    dm = suggestion_dm(h, olga)
    assert dm.text == "Thanks for INC-2. It looks like INC-1: is it the same problem?"
    assert "Merge into INC-1" in str(dm.blocks) and "Not a duplicate" in str(dm.blocks)
    card = h.ws.messages_in(channel_of(h, second).id)[0]
    assert "Possible duplicate of *INC-1*" in str(card.blocks)

    await click(h, olga, dm, "merge_duplicate")
    await h.firebell.settle()
    merged, kept = fresh(h.firebell.runtime.db, second), fresh(h.firebell.runtime.db, first)
    assert merged.status == "closed" and merged.merged_into_id == kept.id
    assert kept.occurrences == 2
    room = channel_of(h, first)
    assert "*INC-2* was merged into INC-1" in h.ws.messages_in(room.id)[-1].text
    assert (
        "INC-2 is closed as a duplicate of *INC-1*"
        in h.ws.messages_in(channel_of(h, second).id)[-1].text
    )
    assert "Your report INC-2 is the same problem as *INC-1*" in h.ws.dms_to(olga.id)[-1].text
    card = h.ws.messages_in(room.id)[0]
    assert "*Reporters*\\n2" in str(card.blocks)

    await run(h, sam, room, "ack")
    await h.firebell.settle()
    for reporter in (dana, olga):  # both hear about INC-1 now
        assert "*INC-1*" in h.ws.dms_to(reporter.id)[-1].text
        assert h.ws.dms_to(reporter.id)[-1].text.endswith("(Assigned)")
    assert "INC-2" in await run(h, sam, support, "search bad gateway pressed")  # merged text

    # A third report within 2 hours: the leads merge it, and 3 reports raise the priority.
    petra = h.ws.add_user("petra", "Petra")
    support.members.add(petra.id)
    third = await file_another(h, petra, support, **AGAIN)
    refused = await run(h, dana, channel_of(h, third), "merge into INC-1")  # not a lead
    assert refused.startswith("Only the leads of INC-1 or an admin can merge into it")
    await click(h, petra, suggestion_dm(h, petra), "merge_duplicate")  # her own new report
    await h.firebell.settle()
    assert fresh(h.firebell.runtime.db, third).merged_into_id == kept.id
    assert fresh(h.firebell.runtime.db, first).priority == "high"


async def test_not_a_duplicate_is_remembered_and_links_show_on_both_cards(
    hd: Harness, clock: FakeClock
) -> None:
    h = hd
    dana, sam, support = people(h)
    await file_another(h, dana, support, **FIRST)
    clock.advance(minutes=5)
    second = await file_another(h, sam, support, **AGAIN)
    await click(h, sam, suggestion_dm(h, sam), "not_duplicate")
    await h.firebell.settle()
    assert "Possible duplicate" not in str(h.ws.messages_in(channel_of(h, second).id)[0].blocks)
    with h.firebell.runtime.db.session() as session:
        again = find_duplicates(
            session, h.firebell.runtime.search, fresh(h.firebell.runtime.db, second)
        )
        assert again == []  # never suggested again for this pair
        session.rollback()

    answer = await run(h, sam, channel_of(h, second), "link INC-1")
    assert answer == "INC-1 and INC-2 are linked; both cards show it."
    await h.firebell.settle()
    for issue in issues(h.firebell.runtime.db):
        card = h.ws.messages_in(channel_of(h, issue).id)[0]
        other = "INC-2" if issue.number == 1 else "INC-1"
        assert f"Related: *{other}*" in str(card.blocks)
    assert (await run(h, sam, support, "merge INC-1")).startswith("Run this in an issue's channel")
    assert (await run(h, sam, support, "merge")).startswith("Name the issues by key")
    assert (await run(h, sam, support, "link INC-1 INC-1")) == "Link two different issues."


async def test_a_private_issue_is_never_suggested_to_someone_outside_it(hd: Harness) -> None:
    h = hd
    dana, _, support = people(h)
    await file_another(h, dana, support, **FIRST, private=["private"])
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    await file_another(h, olga, support, **AGAIN)
    assert not any("looks like" in m.text for m in h.ws.dms_to(olga.id))
