"""Playbook checklists, the card's buttons, 📌 pins, reporter DMs and the App Home tab."""

from __future__ import annotations

from sqlmodel import select

from bot.core.people import Actor
from bot.demo.harness import Harness
from sandbox.workspace import Message
from storage.models import TimelineEvent
from tests.helpers import (
    channel_of,
    click,
    file_report,
    fresh,
    new_view,
    people,
    run,
    timeline_kinds,
)


def checklist(h: Harness, room_id: str, phase: str) -> Message:
    return next(
        m for m in reversed(h.ws.messages_in(room_id)) if m.text.startswith(f"{phase} checklist")
    )


async def submit_modal(h: Harness, user: object, seen: set[str], values: dict[str, str]) -> dict:
    view = await new_view(h, user, seen)  # type: ignore[arg-type]
    reply = await h.driver.submit_view(user, view, values)  # type: ignore[arg-type]
    await h.firebell.settle()
    return reply.json


async def test_detection_steps_with_answers_then_the_next_status_is_proposed(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, type="bug", severity="minor")  # bug playbook
    room = channel_of(h, issue)
    room.members.add(sam.id)
    await run(h, sam, room, "ack")  # Assigned: the detection phase is left unfinished
    kinds = timeline_kinds(h.firebell.runtime.db, issue)
    assert "phase_left_incomplete" in kinds

    msg = checklist(h, room.id, "Response")
    await click(h, sam, msg, "step_done", "1:triage")
    msg = checklist(h, room.id, "Response")
    assert msg.edited and "done by <@" in str(msg.blocks) and "1 of 1 finished" in str(msg.blocks)
    proposal = h.ws.messages_in(room.id)[-1]
    assert "All required response steps of INC-1 are finished" in proposal.text
    await click(h, sam, proposal, "issue_move_status", "1:revise")
    assert fresh(h.firebell.runtime.db, issue).status == "revise"

    # Resolution: one step asks nothing, the other is skipped with a reason.
    msg = checklist(h, room.id, "Resolution")
    await click(h, sam, msg, "step_done", "1:fix-ready")
    seen = set(h.ws.views)
    await click(h, sam, checklist(h, room.id, "Resolution"), "step_skip", "1:retested")
    errors = await submit_modal(h, sam, seen, {"reason": "  "})
    assert errors == {
        "response_action": "errors",
        "errors": {"reason": "Say why the step is skipped."},
    }
    view = next(v for v in h.ws.open_views_of(sam.id))
    await h.driver.submit_view(sam, view, {"reason": "Reporter is on leave"})
    await h.firebell.settle()
    assert "Reporter is on leave" in str(checklist(h, room.id, "Resolution").blocks)
    proposal = h.ws.messages_in(room.id)[-1]
    assert "Move to Retest" in str(proposal.blocks)


async def test_a_step_with_a_question_stores_the_answer(h: Harness) -> None:
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support)  # outage playbook
    room = channel_of(h, issue)
    seen = set(h.ws.views)
    await click(h, dana, checklist(h, room.id, "Detection"), "step_done", "1:customer-impact")
    reply = await submit_modal(h, dana, seen, {"answer": ""})
    assert reply["errors"] == {"answer": "This step asks: What is the customer impact?"}
    view = next(v for v in h.ws.open_views_of(dana.id))
    await h.driver.submit_view(dana, view, {"answer": "EU card payments fail, ~120 users"})
    await h.firebell.settle()
    assert "EU card payments fail, ~120 users" in str(checklist(h, room.id, "Detection").blocks)
    timeline = await run(h, dana, room, "timeline")
    assert "What is the customer impact" not in timeline  # the answer is shown, not the prompt
    assert "EU card payments fail, ~120 users" in timeline
    # A second click on the same step is harmless.
    again = h.firebell.runtime.checklist.complete(
        issue.id or 0, Actor(dana.id), "customer-impact", "again"
    )
    assert again == "That step was already ticked off."


async def test_card_buttons(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    room.members.add(sam.id)
    card = h.ws.messages_in(room.id)[0]
    await click(h, dana, card, "issue_change_severity")
    assert "Nobody leads INC-1 yet" in h.ws.ephemerals_to(dana.id)[-1]
    await click(h, sam, card, "issue_assign_me")
    issue = fresh(h.firebell.runtime.db, issue)
    assert issue.assignee_id == sam.id and issue.status == "assigned"
    assert issue.acknowledged_at is not None  # moving to Assigned acknowledges
    card = h.ws.messages_in(room.id)[0]
    assert "issue_assign_me" not in str(card.blocks) and "issue_ack" not in str(card.blocks)

    seen = set(h.ws.views)
    await click(h, sam, card, "issue_post_update")
    await submit_modal(h, sam, seen, {"update_text": "Failing over to eu-central"})
    assert "Failing over to eu-central" in h.ws.messages_in(room.id)[-1].text

    card = h.ws.messages_in(room.id)[0]
    seen = set(h.ws.views)
    await click(h, sam, card, "issue_change_severity")
    await submit_modal(h, sam, seen, {"new_severity": "major"})
    assert fresh(h.firebell.runtime.db, issue).severity == "major"

    await run(h, sam, room, "status revise")
    await run(h, sam, room, "status retest")
    card = h.ws.messages_in(room.id)[0]
    await click(h, sam, card, "issue_mark_fixed")
    assert fresh(h.firebell.runtime.db, issue).status == "fixed"


async def test_the_acknowledge_button_takes_the_issue(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await click(h, sam, h.ws.messages_in(room.id)[0], "issue_ack")
    issue = fresh(h.firebell.runtime.db, issue)
    assert (issue.status, issue.commander_id, issue.assignee_id) == ("assigned", sam.id, sam.id)
    assert sam.id in room.members  # taking the issue brings you into its channel


async def test_pinning_a_message_adds_it_once_at_its_own_time(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    room.members.add(sam.id)
    said = h.ws.post(room, sam, "Error rate dropped after the rollback")
    await h.driver.event(h.driver.reaction(dana, said))
    await h.firebell.settle()  # pinned, before a second 📌 comes in
    await h.driver.event(h.driver.reaction(sam, said))  # a second 📌 by someone else
    retry = h.driver.reaction(dana, said, "round_pushpin")
    await h.driver.event(retry)
    await h.driver.event(retry, retry_num=1)  # Slack retrying the same event
    await h.driver.event(h.driver.reaction(dana, said, "thumbsup"))  # not a pin
    await h.firebell.settle()
    with h.firebell.runtime.db.session() as session:
        pins = session.exec(
            select(TimelineEvent).where(TimelineEvent.kind == "pinned_message")
        ).all()
    assert len(pins) == 1
    assert pins[0].payload["text"] == "Error rate dropped after the rollback"
    # Dana pinned Sam's message: the timeline says so, at the message's own time.
    assert (pins[0].actor_id, pins[0].payload["author"]) == (dana.id, sam.id)
    line = await run(h, sam, room, "timeline")
    assert f"<@{dana.id}> pinned a message from <@{sam.id}>: Error rate dropped" in line
    assert abs(pins[0].at.timestamp() - float(said.ts)) < 0.001


async def test_reporter_dms_follow_the_status_until_turned_off(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    await run(h, sam, room, "status revise")
    updates = [m for m in h.ws.dms_to(dana.id) if "Status: " in str(m.blocks)]
    assert [m.blocks[1]["elements"][0]["text"] for m in updates] == [
        "Status: Assigned · was New",
        "Status: Revise · was Assigned",
    ]
    await click(h, dana, updates[-1], "reporter_updates_off")
    assert "Updates about INC-1 are off" in h.ws.ephemerals_to(dana.id)[-1]
    before = len(h.ws.dms_to(dana.id))
    await run(h, sam, room, "status retest")
    assert len(h.ws.dms_to(dana.id)) == before
    assert not fresh(h.firebell.runtime.db, issue).reporter_updates


async def test_security_issues_are_private_and_follow_the_security_playbook(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, type="security", severity="major")
    assert issue.private and issue.playbook == "security"
    room = channel_of(h, issue)
    assert room.is_private and sam.id not in room.members
    steps = str(checklist(h, room.id, "Detection").blocks)
    assert "Preserve evidence" in steps
    await run(h, dana, room, "ack")
    assert "Rotate affected credentials" in str(checklist(h, room.id, "Response").blocks)


async def test_app_home_lists_my_open_issues(h: Harness) -> None:
    dana, sam, support = people(h)
    await file_report(h, dana, support)
    await h.driver.event(h.driver.home_opened(dana))
    await h.firebell.settle()
    home = h.ws.views[f"home-{dana.id}"].view
    assert home["type"] == "home" and "INC-1" in str(home["blocks"])
    assert "SLA: acknowledge in 15m · resolve in 4h" in str(home["blocks"])  # critical
    await h.driver.event(h.driver.home_opened(sam))
    await h.firebell.settle()
    assert "No issues." in str(h.ws.views[f"home-{sam.id}"].view["blocks"])
