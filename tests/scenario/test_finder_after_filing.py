"""The duplicate finder runs after the filing commits, on a stream of its own: a
report is filed, and its channel, card and DM go out, whatever the finder does; its
suggestions follow, on the card and in a DM, once it answers."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from bot.triage import delivery
from storage.models import DuplicateSuggestion, OutboxItem
from tests.helpers import channel_of, file_another, people

FIRST = {
    "title": "Checkout returns 502 when paying by card",
    "description": "Paying by card at checkout shows a 502 Bad Gateway page.",
    "service": "checkout-api",
}
AGAIN = {
    "title": "Card payment at checkout fails with 502",
    "description": "Card payments at checkout end on a 502 Bad Gateway page.",
    "service": "checkout-api",
}


async def test_a_broken_finder_costs_no_report_and_its_suggestions_follow_when_it_recovers(
    h: Harness, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, _, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    await file_another(h, dana, support, **FIRST)
    clock.advance(minutes=10)

    def broken(*_args: object, **_kwargs: object) -> list[DuplicateSuggestion]:
        raise RuntimeError("the finder is down")

    monkeypatch.setattr(delivery, "find_duplicates", broken)
    second = await file_another(h, olga, support, **AGAIN)
    room = channel_of(h, second)
    card = h.ws.messages_in(room.id)[0]
    assert "Card payment at checkout fails with 502" in str(card.blocks)
    assert "Possible duplicate" not in str(card.blocks)
    assert any("INC-2" in m.text for m in h.ws.dms_to(olga.id))  # the filing's own DM
    assert not [m for m in h.ws.dms_to(olga.id) if "looks like" in m.text]
    with h.firebell.runtime.db.session() as session:
        waiting = session.exec(
            select(OutboxItem).where(OutboxItem.stream == f"triage:{second.id}")
        ).one()
        assert waiting.status != "done" and "the finder is down" in (waiting.last_error or "")

    monkeypatch.undo()
    clock.advance(minutes=10)  # past the retry's backoff
    await h.firebell.settle()
    [dm] = [m for m in h.ws.dms_to(olga.id) if "looks like" in m.text]
    assert dm.text == "Thanks for INC-2. It looks like INC-1: is it the same problem?"
    card = h.ws.messages_in(room.id)[0]
    assert "Possible duplicate of *INC-1*" in str(card.blocks)

    clock.advance(minutes=10)  # delivered once: a later sweep adds nothing
    await h.firebell.settle()
    assert len([m for m in h.ws.dms_to(olga.id) if "looks like" in m.text]) == 1
    with h.firebell.runtime.db.session() as session:
        assert len(session.exec(select(DuplicateSuggestion)).all()) == 1
