"""Zendesk both ways, over HTTP against the Zendesk stand-in (sandbox/zendesk.py): signed
ticket events open or join issues, once each; tickets hear each status change as a
comment, exactly once as Zendesk sees it, through outages and lost answers; refusals
are said in the issue's channel."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.core.membership import record_joined
from bot.demo.harness import Harness, running
from sandbox.zendesk import Ticket, Zendesk
from storage.models import Issue, OutboxItem, TimelineEvent, ZendeskTicket
from tests.helpers import bot_messages, channel_of, fresh, issues, run
from tests.scenario.test_escaping import MARKUP, mrkdwn_texts

HOSTILE = "<!channel> checkout is <https://evil.example|down> <@U123>"


@pytest.fixture
async def zd(clock: FakeClock) -> AsyncIterator[Zendesk]:
    zendesk = await Zendesk(now=lambda: clock.now().timestamp()).start()
    try:
        yield zendesk
    finally:
        await zendesk.stop()


def settings_for(zd: Zendesk, **changes: Any) -> FirebellConfig:
    section = {
        "url": zd.base_url,
        "email": zd.email,
        "api_token": zd.api_token,
        "webhook_secret": zd.webhook_secret,
        "open_tag": "firebell",
        "comments": "public",
        **changes,
    }
    return FirebellConfig.model_validate({"zendesk": section})


@pytest.fixture
async def h(database_url: str, clock: FakeClock, zd: Zendesk) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=settings_for(zd)) as harness:
        yield harness


async def send(h: Harness, zd: Zendesk, ticket: Ticket, **how: Any) -> tuple[int, dict[str, Any]]:
    answer = await zd.send_event(h.bot_url + "/webhooks/zendesk", zd.event(ticket), **how)
    await h.firebell.settle()
    return answer


def agent_comments(zd: Zendesk, ticket: Ticket) -> list[str]:
    return [c["body"] for c in zd.comments_by_agent(ticket.id)]


def tickets(h: Harness) -> list[ZendeskTicket]:
    with h.firebell.runtime.db.session() as session:
        return list(session.exec(select(ZendeskTicket)))


def card_of(h: Harness, issue: Issue) -> str:
    """The pinned card's mrkdwn as Slack last got it (its latest edit)."""
    card = bot_messages(h, channel_of(h, issue))[0]
    return json.dumps(card.blocks)


async def test_forged_or_stale_signatures_are_refused_and_change_nothing(
    h: Harness, zd: Zendesk
) -> None:
    ticket = zd.add_ticket("Checkout fails", "It spins forever", tags=["firebell"])
    status, answer = await send(h, zd, ticket, forged=True)
    assert status == 401 and "does not match" in answer["detail"]
    status, answer = await send(h, zd, ticket, age_seconds=6 * 60)
    assert status == 401 and "more than 5 minutes" in answer["detail"]
    assert issues(h.firebell.runtime.db) == [] and tickets(h) == []
    assert zd.requests == []  # nothing was said to Zendesk either
    status, answer = await send(h, zd, ticket, age_seconds=4 * 60)  # within the window
    assert status == 200 and answer["action"] == "opened"


async def test_a_tagged_ticket_opens_one_issue_whatever_is_redelivered(
    h: Harness, zd: Zendesk
) -> None:
    ticket = zd.add_ticket(HOSTILE, f"Since 9:00. {HOSTILE}", requester_id=7001, tags=["firebell"])
    event = zd.event(ticket)
    url = h.bot_url + "/webhooks/zendesk"
    assert (await zd.send_event(url, event, invocation_id="1"))[1]["action"] == "opened"
    await h.firebell.settle()
    # Redelivered: the same invocation, the same event in a new invocation, a new event.
    assert (await zd.send_event(url, event, invocation_id="1"))[1]["action"] == "repeat"
    assert (await zd.send_event(url, event, invocation_id="2"))[1]["action"] == "repeat"
    later = zd.event(ticket, "ticket.tags_changed")
    assert (await zd.send_event(url, later))[1] == {"ok": True, "action": "known", "issue": "INC-1"}
    await h.firebell.settle()

    [issue] = issues(h.firebell.runtime.db)
    assert issue.reporter_id == "zendesk:7001" and issue.title == HOSTILE
    assert issue.description == f"Since 9:00. {HOSTILE}"
    card = card_of(h, issue)
    assert f"<{zd.base_url}/agent/tickets/{ticket.id}|Zendesk #{ticket.id}>" in card
    assert "Zendesk requester 7001" in card
    # Nobody is pinged, nothing links elsewhere, on any surface Slack was given.
    for call in h.ws.calls:
        for text in mrkdwn_texts(call.args):
            assert not any(markup in text for markup in MARKUP), text
    # The requester heard once that their report is with engineering.
    [said] = agent_comments(zd, ticket)
    assert said.startswith("Update 1 on the problem you reported:\n\nThank you for your report.")
    assert said.endswith("Reference: INC-1") and "<" not in said


async def test_a_ticket_tagged_with_a_key_joins_and_its_requester_hears_each_change(
    h: Harness, zd: Zendesk
) -> None:
    first = zd.add_ticket("Checkout fails", "Spins forever", requester_id=7001, tags=["firebell"])
    await send(h, zd, first)
    second = zd.add_ticket("Cannot pay", "Card refused", requester_id=7002, tags=["inc-1", "vip"])
    status, answer = await send(h, zd, second)
    assert status == 200 and answer == {"ok": True, "action": "joined", "issue": "INC-1"}
    [issue] = issues(h.firebell.runtime.db)
    assert issue.occurrences == 2
    room = channel_of(h, issue)
    assert "reported it again from Zendesk ticket #" in bot_messages(h, room)[-1].text
    assert f"Zendesk #{second.id}" in card_of(h, issue)

    ws = h.ws
    sam = ws.add_user("sam", "Sam")
    room.members.add(sam.id)
    await run(h, sam, room, "ack")
    joined = agent_comments(zd, second)
    assert len(joined) == 2 and joined[0].startswith("Update 1")
    assert joined[1] == (
        "Update 2 on the problem you reported:\n\n"
        "Someone in engineering has taken it and is looking into it.\n\nReference: INC-1"
    )
    assert len(agent_comments(zd, first)) == 2  # the first ticket hears it too
    assert all(c["public"] for c in zd.comments_by_agent(second.id))  # comments: public
    for step in ("status revise", "status retest", "fixed", "close Rolled back the payment SDK"):
        await run(h, sam, room, step)
    last = agent_comments(zd, second)[-1]
    assert last.startswith("Update 6") and "It is closed." in last
    # The responders' own words (the summary, their names) never reach the customer.
    assert "Rolled back" not in " ".join(agent_comments(zd, second)) and "Sam" not in last


async def test_a_comment_goes_in_once_when_the_first_answer_is_lost(
    h: Harness, zd: Zendesk, clock: FakeClock
) -> None:
    ticket = zd.add_ticket("Checkout fails", "Spins", tags=["firebell"])
    zd.faults = ["lose_answer"]  # Zendesk adds the comment; its answer never arrives
    await send(h, zd, ticket)
    assert len(agent_comments(zd, ticket)) == 1
    clock.advance(minutes=1)
    await h.firebell.settle()  # the retry finds its comment and does not post again
    assert len(agent_comments(zd, ticket)) == 1
    assert ("GET", f"/api/v2/tickets/{ticket.id}/comments.json") in zd.requests
    with h.firebell.runtime.db.session() as session:
        items = session.exec(select(OutboxItem).where(OutboxItem.kind == "zendesk_comment")).all()
    assert [(i.status, i.attempts) for i in items] == [("done", 2)]


async def test_zendesk_down_for_a_while_loses_nothing_and_sends_nothing_twice(
    h: Harness, zd: Zendesk, clock: FakeClock
) -> None:
    ticket = zd.add_ticket("Checkout fails", "Spins", tags=["firebell"])
    zd.faults = ["rate_limit", "unavailable", "unavailable", "lose_answer", "unavailable"]
    zd.retry_after = 120
    await send(h, zd, ticket)
    [issue] = issues(h.firebell.runtime.db)
    assert issue.channel_id is not None  # Slack's work did not wait for Zendesk's
    ws = h.ws
    sam = ws.add_user("sam", "Sam")
    channel_of(h, issue).members.add(sam.id)
    await run(h, sam, channel_of(h, issue), "ack")
    assert agent_comments(zd, ticket) == []
    clock.advance(seconds=60)  # before the 429's Retry-After: nothing is tried
    asked = len(zd.requests)
    await h.firebell.settle()
    assert len(zd.requests) == asked
    for _ in range(12):  # Zendesk comes back; the backoff is at most 5 minutes
        clock.advance(minutes=5)
        await h.firebell.settle()
    said = agent_comments(zd, ticket)
    assert [c.split(" on ")[0] for c in said] == ["Update 1", "Update 2"]
    assert zd.faults == []


async def test_a_wrong_api_token_is_said_in_the_channel(
    database_url: str, clock: FakeClock, zd: Zendesk
) -> None:
    config = settings_for(zd, api_token="not-the-token-at-all")
    async with running(database_url, clock=clock, config=config) as h:
        ticket = zd.add_ticket("Checkout fails", "Spins", tags=["firebell"])
        await send(h, zd, ticket)
        # The ticket's stream does not wait for the issue's: it may find no channel yet.
        clock.advance(seconds=5)
        await h.firebell.settle()
        [issue] = issues(h.firebell.runtime.db)
        texts = [m.text for m in bot_messages(h, channel_of(h, issue))]
        assert (
            f":warning: Zendesk refused the comment on ticket #{ticket.id}: the API token is "
            "wrong (401); check zendesk.api_token and zendesk.email"
        ) in texts
        assert ("PUT", f"/api/v2/tickets/{ticket.id}.json") in zd.requests
        assert agent_comments(zd, ticket) == []
        with h.firebell.runtime.db.session() as session:
            kinds = session.exec(
                select(TimelineEvent.kind).where(TimelineEvent.issue_id == issue.id)
            ).all()
        assert "zendesk_refused" in kinds


async def test_a_merged_issues_tickets_follow_the_issue_it_was_merged_into(
    h: Harness, zd: Zendesk
) -> None:
    first = zd.add_ticket("Checkout fails", "Spins", requester_id=7001, tags=["firebell"])
    other = zd.add_ticket("Payment page broken", "Blank page", requester_id=7002, tags=["firebell"])
    await send(h, zd, first)
    await send(h, zd, other)
    one, two = issues(h.firebell.runtime.db)
    ws = h.ws
    sam = ws.add_user("sam", "Sam")
    for issue in (one, two):
        channel_of(h, issue).members.add(sam.id)
    await run(h, sam, channel_of(h, one), "ack")
    await run(h, sam, channel_of(h, two), f"merge into {one.key}")
    assert fresh(h.firebell.runtime.db, two).merged_into_id == one.id
    moved = {row.ticket_id: row.issue_id for row in tickets(h)}
    assert moved == {first.id: one.id, other.id: one.id}
    assert "same problem as another one" in agent_comments(zd, other)[-1]
    await run(h, sam, channel_of(h, one), "status revise")
    assert agent_comments(zd, other)[-1].startswith("Update 3")
    assert "working on a fix" in agent_comments(zd, other)[-1]
    # A ticket tagged with the duplicate's key joins the issue it was merged into.
    late = zd.add_ticket("Still broken", "Blank", requester_id=7003, tags=[f"inc-{two.number}"])
    assert (await send(h, zd, late))[1]["issue"] == one.key


async def test_a_private_issue_tells_its_tickets_only_that_the_team_is_on_it(
    h: Harness, zd: Zendesk, clock: FakeClock
) -> None:
    ticket = zd.add_ticket("Checkout fails", "Spins", tags=["firebell"])
    await send(h, zd, ticket)
    [issue] = issues(h.firebell.runtime.db)
    sam = h.ws.add_user("sam", "Sam")
    with h.firebell.runtime.db.session() as session:
        row = session.get(Issue, issue.id)
        assert row is not None
        row.private = True
        session.add(row)
        record_joined(session, row, sam.id, clock.now())  # a member of the private issue
    channel_of(h, issue).members.add(sam.id)
    assert "You acknowledged" in await run(h, sam, channel_of(h, issue), "ack")
    assert agent_comments(zd, ticket)[-1] == (
        "Update 2 on the problem you reported:\n\nOur team is working on it."
    )


async def test_the_duplicate_finder_runs_for_a_ticket_as_for_any_report(
    h: Harness, zd: Zendesk
) -> None:
    words = "Checkout payment page shows a blank screen after pressing pay"
    first = zd.add_ticket(words, "Blank screen on the payment page", tags=["firebell"])
    again = zd.add_ticket(words, "Blank screen on the payment page again", tags=["firebell"])
    await send(h, zd, first)
    await send(h, zd, again)
    one, two = issues(h.firebell.runtime.db)
    assert f"Possible duplicate of *{one.key}*" in card_of(h, two)
    assert h.ws.dms_to("zendesk:7001") == []  # someone outside Slack gets no DM
