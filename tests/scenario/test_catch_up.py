"""`/incident summary`: a catch-up for someone joining late, from the model or from the
record; redacted, private issues kept from the model, one call per two minutes."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from bot.core.ai.model import PRIVATE
from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from sandbox.openai_server import FakeOpenAI
from sandbox.workspace import Channel, User
from tests.fake_model import running_with_model
from tests.helpers import channel_of, file_report, people, run

ANSWER = {
    "what_happened": "Checkout returned 502 from 09:00 UTC after a config push.",
    "where_things_stand": "Rolled back; error rate falling.",
    "who_is_on_it": "<@U0000003> leads; <@U0999999> was asked to help.",
    "what_comes_next": "Confirm the fix in Retest, then deploy.",
}


async def ask(h: Harness, user: User, room: Channel) -> str:
    """The immediate answer, then (if it was slow work) the ephemeral that follows."""
    first = await run(h, user, room, "summary")
    await h.firebell.settle()
    later = [r for r in h.ws.responses if r.get("user") == user.id]
    return first + "\n" + (str(later[-1]) if later else "")


async def test_without_a_model_the_record_answers_the_four_questions(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    await run(h, sam, room, "update Rolled back v41; error rate falling")
    answer = await ask(h, dana, room)
    assert answer.startswith("Catching up on INC-1…")
    assert "Catching up on INC-1" in answer and "*What happened*" in answer
    assert "It is Assigned (Critical), in the response phase." in answer
    assert "Rolled back v41; error rate falling" in answer
    assert f"commander <@{sam.id}>" in answer
    assert "Open steps:" in answer
    assert "From the record (no model is configured)" in answer


@pytest.fixture
async def hm(database_url: str, clock: FakeClock) -> AsyncIterator[tuple[Harness, FakeOpenAI]]:
    async with running_with_model(database_url, clock) as pair:
        yield pair


async def test_the_model_catches_up_once_per_two_minutes_on_redacted_facts(
    hm: tuple[Harness, FakeOpenAI], clock: FakeClock
) -> None:
    h, fake = hm
    fake.answer_with(ANSWER)
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    h.ws.post(room, sam, "db password=hunter2 in the env, rotating it")
    answer = await ask(h, dana, room)
    assert "Checkout returned 502 from 09:00 UTC after a config push." in answer
    assert "Drafted by the model from the channel and the timeline" in answer
    assert "&lt;@U0999999&gt;" in answer  # not in the issue: the mention stays text
    prompt = str(fake.requests[-1]["body"]["messages"])
    assert "rotating it" in prompt and "hunter2" not in prompt

    again = await run(h, sam, room, "summary")  # within two minutes: the kept answer
    assert "Checkout returned 502" in again and len(fake.requests) == 1
    clock.advance(minutes=2, seconds=1)
    await ask(h, sam, room)
    assert len(fake.requests) == 2


async def test_a_private_issue_is_not_sent_to_the_model_and_not_told_to_outsiders(
    hm: tuple[Harness, FakeOpenAI],
) -> None:
    h, fake = hm
    fake.answer_with(ANSWER)
    dana, _, support = people(h)
    outsider = h.ws.add_user("olga", "Olga")
    issue = await file_report(h, dana, support, private=["private"], title="Payroll leaks")
    room = channel_of(h, issue)
    answer = await ask(h, dana, room)
    assert "a private issue is not sent to the model" in answer and fake.requests == []
    refused = await run(h, outsider, support, "summary INC-1")
    assert "Payroll" not in refused and "private" in refused


async def test_review_and_summary_keep_a_private_issue_from_the_model_through_one_door(
    hm: tuple[Harness, FakeOpenAI],
) -> None:
    """Both surfaces refuse with the words of bot/core/ai/model.py, and nothing is sent."""
    h, fake = hm
    fake.answer_with(ANSWER)
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, private=["private"], title="Payroll leaks")
    room = channel_of(h, issue)
    h.ws.post(room, sam, "the payroll bucket is public")
    summary = await ask(h, dana, room)
    await run(h, dana, room, "review")
    await h.firebell.settle()
    review = h.ws.ephemerals_to(dana.id)[-1]
    assert review == f"The review of INC-1 is drafted from the template ({PRIVATE})."
    assert PRIVATE in summary
    assert fake.requests == []
