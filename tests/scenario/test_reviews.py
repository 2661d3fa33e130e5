"""Post-incident reviews through Slack, with the template and with a local model server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from bot.cli import main
from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from bot.reviews.content import NOT_RECORDED
from sandbox.openai_server import FakeOpenAI
from sandbox.workspace import Channel, Message, User
from storage.models import FollowUp, Review
from tests.fake_model import running_with_model
from tests.helpers import channel_of, click, file_report, new_view, people, run

GOOD_ANSWER = {
    "summary": "Checkout failed for card payments for 65 minutes.",
    "customer_impact": "120 EU customers could not pay.",
    "detection": "A customer reported it in #support.",
    "response": "Sam acknowledged within 4 minutes.",
    "resolution": "Rolled back; fixed after 1 h, deployed after 2 h.",
    "timeline": [{"time": "09:00", "event": "Filed"}],
    "root_cause": "A config push set the PSP timeout to 50 ms.",
    "contributing_factors": ["No canary for config"],
    "went_well": ["Fast acknowledgement"],
    "went_badly": ["Slow rollback"],
    "action_items": [
        {
            "title": "Canary config pushes",
            "owner": None,
            "due_date": "2026-02-01",
            "priority": "high",
        }
    ],
    "lessons_learned": ["Config is code"],
}


async def fix(h: Harness, lead: User, room: Channel) -> None:
    for step in ("ack", "status revise", "status retest", "fixed"):
        await run(h, lead, room, step)


def review_message(h: Harness, room: Channel) -> Message:
    return next(
        m
        for m in reversed(h.ws.messages_in(room.id))
        if m.text.startswith("Post-incident review of")
    )


async def test_template_review_from_offer_to_published(h: Harness, clock: FakeClock) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, description="Payments fail; password=hunter2")
    room = channel_of(h, issue)
    await fix(h, sam, room)
    offer = next(m for m in h.ws.messages_in(room.id) if "draft the review?" in m.text)
    await click(h, sam, offer, "review_draft")
    message = review_message(h, room)
    assert "Template draft, not AI-written" in str(message.blocks)
    assert "*Summary*" in str(message.blocks) and "*Root cause*" in str(message.blocks)
    assert "The review of INC-1 is drafted from the template." in h.ws.ephemerals_to(sam.id)
    shared = [m for m in h.ws.messages_in(room.id) if m.files]
    markdown = h.ws.files[shared[-1].files[0]]["content"].decode()
    assert markdown.startswith("# Post-incident review: INC-1")
    assert "<@U" not in markdown and "Reported by @dana" in markdown  # read outside Slack

    seen = set(h.ws.views)
    await click(h, sam, message, "review_edit")
    view = await new_view(h, sam, seen)
    reply = await h.driver.submit_view(sam, view, {"root_cause": " "})
    assert reply.json["errors"] == {
        "root_cause": "Write the root cause (or what is known of it so far)."
    }
    await h.driver.submit_view(
        sam,
        view,
        {
            "root_cause": "PSP timeout set to 50 ms by a config push",
            "factors": "No canary\n- Alert threshold too high",
            "action_title1": "Canary config pushes",
            "action_owner1": dana.id,
            "action_due1": (clock.now().date() + timedelta(days=1)).isoformat(),
        },
    )
    await h.firebell.settle()
    message = review_message(h, room)
    assert message.edited and "PSP timeout set to 50 ms" in str(message.blocks)
    assert "Alert threshold too high" in str(message.blocks)

    await click(h, dana, message, "review_publish")
    assert "Only the commander" in h.ws.ephemerals_to(dana.id)[-1]
    await click(h, sam, message, "review_publish")
    with h.firebell.runtime.db.session() as session:
        review = session.exec(select(Review)).one()
        followups = session.exec(select(FollowUp)).all()
    assert review.status == "published" and review.published_by == sam.id
    assert [(f.title, f.owner_id) for f in followups] == [("Canary config pushes", dana.id)]
    assert "You own a follow-up from the review of INC-1" in h.ws.dms_to(dana.id)[-1].text
    assert "Published by" in str(review_message(h, room).blocks)
    proposal = h.ws.messages_in(room.id)
    assert any("Move it to *Closed*?" in m.text for m in proposal)  # analysis completed
    assert "review_edit" not in str(review_message(h, room).blocks)


async def test_followups_are_listed_reminded_once_and_finished(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    with h.firebell.runtime.db.session() as session:
        session.add(
            FollowUp(
                issue_id=issue.id or 0,
                title="Add a canary",
                owner_id=dana.id,
                due_on=clock.now().date() + timedelta(days=1),
                created_at=clock.now(),
            )
        )
    assert "Add a canary" in await run(h, dana, support, "followups mine")
    assert "None open." in await run(h, sam, support, "followups mine")
    await h.firebell.tick()
    await h.firebell.tick()
    due = [m for m in h.ws.dms_to(dana.id) if "Due tomorrow" in m.text]
    assert len(due) == 1
    clock.advance(days=2)
    await h.firebell.tick()
    await h.firebell.tick()
    overdue = [m for m in h.ws.dms_to(dana.id) if m.text.startswith("Overdue")]
    assert len(overdue) == 1
    await click(h, sam, overdue[0], "followup_done")
    assert "Only its owner" in h.ws.ephemerals_to(sam.id)[-1]
    await click(h, dana, overdue[0], "followup_done")
    assert "None open." in await run(h, dana, support, "followups")


async def test_export_writes_the_markdown(
    h: Harness, tmp_path: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "review")
    monkeypatch.setenv("DATABASE_URL", h.firebell.runtime.settings.database_url)
    target = f"{tmp_path}/inc-1.md"
    assert main(["review", "export", "INC-1", "-o", target]) == 0
    text = Path(target).read_text(encoding="utf-8")  # noqa: ASYNC240 (a small local file)
    assert text.startswith("# Post-incident review: INC-1 Checkout fails with 502")
    assert main(["review", "export", "INC-9"]) == 1
    assert main(["review", "export", "nine"]) == 2


@pytest.fixture
async def model(database_url: str, clock: FakeClock) -> AsyncIterator[tuple[Harness, FakeOpenAI]]:
    async with running_with_model(database_url, clock, token_budget=4000) as pair:
        yield pair


async def test_the_model_drafts_from_a_redacted_prompt(model: tuple[Harness, FakeOpenAI]) -> None:
    h, fake = model
    fake.answer_with(GOOD_ANSWER)
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, description="Token xoxb-99999999999-abcdef leaked")
    room = channel_of(h, issue)
    h.ws.post(room, sam, "db password=hunter2 rotated; mail me at sam@example.com")
    assert (await run(h, sam, room, "review")).startswith("Drafting the review of INC-1")
    assert len(fake.requests) == 1
    body = fake.requests[0]["body"]
    prompt = "\n".join(m["content"] for m in body["messages"])
    assert body["model"] == "local-model" and body["response_format"] == {"type": "json_object"}
    assert "Checkout fails with 502" in prompt and "db password=[REDACTED]" in prompt
    assert "hunter2" not in prompt and "xoxb-99999999999" not in prompt
    assert fake.requests[0]["headers"]["Authorization"] == "Bearer sk-test-key-123456789012"
    message = review_message(h, room)
    assert "Drafted by a model" in str(message.blocks)
    assert "A config push set the PSP timeout to 50 ms." in str(message.blocks)
    assert "The review of INC-1 is drafted by the model." in h.ws.ephemerals_to(sam.id)


@pytest.mark.parametrize(
    ("setup", "reason"),
    [
        (lambda f: f.answer_with("this is not JSON"), "the model's answer was not valid JSON"),
        (lambda f: f.answer_with({"summary": "only this"}), "did not fit the review"),
        (lambda f: setattr(f, "status", 500), "the model service answered HTTP 500"),
        (lambda f: setattr(f, "delay", 2.0), "the model did not answer within 0.5 s"),
    ],
)
async def test_a_bad_model_answer_falls_back_to_the_template_and_says_so(
    model: tuple[Harness, FakeOpenAI], setup: object, reason: str
) -> None:
    h, fake = model
    setup(fake)  # type: ignore[operator]
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "review")
    blocks = str(review_message(h, room).blocks)
    assert "Template draft, not AI-written" in blocks and reason in blocks
    assert len(fake.requests) == 1  # one request per draft (no retries configured)
    assert any(reason in t for t in h.ws.ephemerals_to(sam.id))


async def test_private_issues_never_reach_the_model(model: tuple[Harness, FakeOpenAI]) -> None:
    h, fake = model
    fake.answer_with(GOOD_ANSWER)
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support, type="security", severity="major")
    await run(h, dana, channel_of(h, issue), "review")
    assert fake.requests == []
    assert "a private issue is not sent to the model" in str(
        review_message(h, channel_of(h, issue)).blocks
    )


async def test_a_long_channel_is_condensed_to_the_token_budget(
    model: tuple[Harness, FakeOpenAI],
) -> None:
    h, fake = model
    fake.answer_with(GOOD_ANSWER)
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    room.members.add(sam.id)
    for i in range(1500):
        h.ws.post(room, sam, f"looking at dashboards, attempt {i} " + "." * 60)
    await run(h, sam, room, "ack")
    await run(h, sam, room, "review")
    prompt = fake.requests[0]["body"]["messages"][1]["content"]
    assert len(prompt) // 4 <= 4000
    assert "earlier messages and events" in prompt
    assert "moved New → Assigned" in prompt  # status changes are kept
    assert "attempt 1499" in prompt  # the newest chatter survives


async def test_the_review_timeline_tells_simulated_time_in_order(
    h: Harness, clock: FakeClock
) -> None:
    """Slack stamps messages with the app's clock: a message pinned after the escalation
    is shown at its simulated time, after it (the demo once showed it first)."""
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    room.members.add(sam.id)
    clock.advance(hours=3)
    await run(h, sam, room, "ack")
    clock.advance(minutes=10)
    said = h.ws.post(room, sam, "Error rate is back to 0.1% after the rollback")
    await h.driver.event(h.driver.reaction(dana, said))
    await h.firebell.settle()
    await run(h, sam, room, "review")
    lines = [line for line in str(review_message(h, room).blocks).split("\\n") if "• *" in line]
    pinned = next(i for i, line in enumerate(lines) if "back to 0.1%" in line)
    acked = next(i for i, line in enumerate(lines) if "Assigned" in line)
    assert f"*{clock.now():%Y-%m-%d %H:%M}*" in lines[pinned] and acked < pinned


async def test_a_placeholder_root_cause_or_an_unowned_action_is_never_published(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    await fix(h, sam, room)
    await run(h, sam, room, "review")
    message = review_message(h, room)
    assert NOT_RECORDED in str(message.blocks)  # the template's root cause

    await click(h, sam, message, "review_publish")
    refusal = h.ws.ephemerals_to(sam.id)[-1]
    assert refusal == (
        "The review of INC-1 is not ready to publish: the root cause is not recorded. "
        "Press *Edit* on the review to fill them in, then *Publish*."
    )
    seen = set(h.ws.views)
    await click(h, sam, message, "review_edit")
    form = await new_view(h, sam, seen)
    reply = await h.driver.submit_view(
        sam, form, {"root_cause": NOT_RECORDED, "action_title1": "Add a canary"}
    )
    assert reply.json["errors"] == {  # every problem at once, each on its own input
        "root_cause": "Write the root cause (or what is known of it so far).",
        "action_owner1": "Choose who owns this action.",
        "action_due1": "Choose when this action is due.",
    }
    with h.firebell.runtime.db.session() as session:
        assert session.exec(select(Review)).one().status == "draft"
        assert session.exec(select(FollowUp)).all() == []


async def test_a_model_draft_with_an_unowned_action_waits_for_an_owner(
    model: tuple[Harness, FakeOpenAI],
) -> None:
    h, fake = model
    fake.answer_with(GOOD_ANSWER)  # its action item has no owner
    dana, sam, support = people(h)
    room = channel_of(h, await file_report(h, dana, support))
    await fix(h, sam, room)
    await run(h, sam, room, "review")
    await click(h, sam, review_message(h, room), "review_publish")
    assert "action 1 needs an owner. Press *Edit*" in h.ws.ephemerals_to(sam.id)[-1]
    assert NOT_RECORDED in fake.requests[0]["body"]["messages"][0]["content"]


async def test_customer_contact_details_never_reach_the_model(
    model: tuple[Harness, FakeOpenAI],
) -> None:
    h, fake = model
    fake.answer_with(GOOD_ANSWER)
    dana, sam, support = people(h)
    issue = await file_report(
        h,
        dana,
        support,
        description="jane.doe@bigcorp.com cannot pay (order 88812345, HTTP 500 on 2.3.1); "
        "she is on +44 20 7946 0958",
    )
    room = channel_of(h, issue)
    h.ws.post(room, sam, "Her colleague asks for a call: (555) 123-4567 or +49 30 901820")
    await run(h, sam, room, "review")
    prompt = "\n".join(m["content"] for m in fake.requests[0]["body"]["messages"])
    for detail in ("jane.doe", "bigcorp.com", "7946 0958", "123-4567", "901820"):
        assert detail not in prompt, detail
    assert "[EMAIL] cannot pay (order 88812345, HTTP 500 on 2.3.1)" in prompt
    assert f"<@{sam.id}>: Her colleague asks for a call: [PHONE] or [PHONE]" in prompt


async def test_drafts_asked_at_once_make_one_review(h: Harness) -> None:
    """The draft is saved after an await (the model, the channel's history): presses at
    once must all answer, leaving one review, never an error id."""
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    await fix(h, sam, channel_of(h, issue))
    reviews = h.firebell.runtime.reviews
    presses = await asyncio.gather(*(reviews.draft(issue.id, sam.id, []) for _ in range(8)))
    assert all("is drafted from the template" in drafted.message for drafted in presses)
    with h.firebell.runtime.db.session() as session:
        assert len(session.exec(select(Review).where(Review.issue_id == issue.id)).all()) == 1
