"""Events that lack a field, or carry the wrong type, are ignored: nothing stored, nothing
posted, no ERROR and no traceback in the log (an app_mention without `ts` was a KeyError)."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlmodel import select

from bot.demo.harness import Harness
from storage.models import Participant, ProcessedEvent
from tests.helpers import channel_of, file_report, people


async def test_events_missing_a_field_store_and_log_nothing(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    message = h.ws.post(room, dana, "the graph says 502s since 10:02")
    await h.firebell.settle()
    with h.firebell.runtime.db.session() as session:
        before = len(session.exec(select(Participant)).all())
    posted, pinned = len(h.ws.calls_to("chat.postMessage")), len(h.ws.calls_to("pins.add"))
    item = {"type": "message", "channel": room.id, "ts": message.ts}
    pin = {"type": "reaction_added", "reaction": "pushpin"}
    events: list[dict[str, Any]] = [
        {"type": "app_mention", "user": dana.id, "channel": room.id, "text": "<@B> hi"},
        {"type": "app_mention", "user": dana.id, "channel": room.id, "ts": 17.5},
        {"type": "app_mention", "user": dana.id, "ts": message.ts},
        {**pin, "user": sam.id, "item": {**item, "ts": ""}},
        {**pin, "user": sam.id, "item": {"type": "message", "channel": room.id}},
        {**pin, "item": item},
        {**pin, "user": sam.id, "item": "message"},
        {"type": "reaction_added", "user": sam.id, "reaction": ["pushpin"], "item": item},
        {"type": "member_joined_channel", "channel": room.id},
        {"type": "member_joined_channel", "user": {"id": sam.id}, "channel": room.id},
        {"type": "member_joined_channel", "user": sam.id, "channel": None},
        {"type": "member_left_channel", "channel": room.id},
        {"type": "member_left_channel", "user": dana.id, "channel": ["C1"]},
    ]
    caplog.set_level(logging.INFO)
    for n, event in enumerate(events):
        answer = await h.driver.event(h.driver.event_payload(event, f"EvBROKEN{n}"))
        assert answer.status < 500, event  # the edge refuses some wrong types itself (400)
    await h.firebell.settle()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    with h.firebell.runtime.db.session() as session:
        assert not session.exec(
            select(ProcessedEvent).where(ProcessedEvent.event_id.startswith("EvBROKEN"))  # type: ignore[attr-defined]
        ).all()
        assert len(session.exec(select(Participant)).all()) == before
    assert len(h.ws.calls_to("chat.postMessage")) == posted  # no answer, no pin notice
    assert len(h.ws.calls_to("pins.add")) == pinned
