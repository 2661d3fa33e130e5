"""bot/core/ai/model.py is the one door to the model: the private-issue rule is kept
there, whichever slice asks (a review draft, a catch-up), over real HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from pydantic import BaseModel, SecretStr

from bot.core.ai.model import NO_MODEL, PRIVATE, Model, NoModelAnswer
from bot.core.ai.prompt import Facts, Line
from bot.core.ai.settings import ModelSettings, ReviewConfig
from bot.reviews.content import INSTRUCTIONS as REVIEW_INSTRUCTIONS
from bot.reviews.content import ReviewContent
from bot.triage.catch_up import INSTRUCTIONS as CATCH_UP_INSTRUCTIONS
from bot.triage.catch_up import CatchUpText
from sandbox.openai_server import FakeOpenAI
from storage.models import Issue

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
SECRET_TITLE = "Payroll export leaks salaries"
ASKERS: list[tuple[str, type[BaseModel], str]] = [
    (REVIEW_INSTRUCTIONS, ReviewContent, "review"),
    (CATCH_UP_INSTRUCTIONS, CatchUpText, "catch-up"),
]
CATCH_UP = {
    "what_happened": "It broke.",
    "where_things_stand": "Fixed.",
    "who_is_on_it": "Sam.",
    "what_comes_next": "Deploy.",
}


@pytest.fixture
async def fake() -> AsyncIterator[FakeOpenAI]:
    server = await FakeOpenAI().start()
    server.answer_with(CATCH_UP)
    try:
        yield server
    finally:
        await server.stop()


def model(fake: FakeOpenAI, **review: object) -> Model:
    settings = ModelSettings(SecretStr("sk-test-key-123456789012"), fake.base_url, "local-model")
    return Model(settings, ReviewConfig(timeout_seconds=2, max_retries=0, **review))  # type: ignore[arg-type]


def private_issue() -> tuple[Issue, Facts]:
    issue = Issue(id=1, number=1, title=SECRET_TITLE, private=True, created_at=AT)
    facts = Facts(
        issue={"key": "INC-1", "title": SECRET_TITLE},
        sla={},
        answers={},
        participants={},
        lines=[Line(AT, "<@U0000001>", f"{SECRET_TITLE}: the bucket is public", False)],
    )
    return issue, facts


@pytest.mark.parametrize(("instructions", "answer", "what"), ASKERS)
async def test_a_private_issue_never_reaches_the_model_whoever_asks(
    fake: FakeOpenAI, instructions: str, answer: type[BaseModel], what: str
) -> None:
    issue, facts = private_issue()
    with pytest.raises(NoModelAnswer) as refused:
        await model(fake).ask(issue, facts, instructions=instructions, answer=answer, what=what)
    assert str(refused.value) == PRIVATE
    assert fake.requests == []  # nothing left the process: not the title, not the channel


async def test_allow_private_is_the_only_way_a_private_issue_is_sent(fake: FakeOpenAI) -> None:
    issue, facts = private_issue()
    door = model(fake, allow_private=True)
    text = await door.ask(
        issue, facts, instructions=CATCH_UP_INSTRUCTIONS, answer=CatchUpText, what="catch-up"
    )
    assert text.what_happened == "It broke."
    assert SECRET_TITLE in str(fake.requests[0]["body"]["messages"])


async def test_without_a_key_nothing_is_sent_and_it_says_so(fake: FakeOpenAI) -> None:
    issue, facts = private_issue()
    door = Model(ModelSettings(None, fake.base_url), ReviewConfig())
    assert not door.configured and door.why_not(issue) == NO_MODEL
    with pytest.raises(NoModelAnswer, match=NO_MODEL):
        await door.ask(issue, facts, instructions="", answer=CatchUpText, what="catch-up")
    assert fake.requests == []
