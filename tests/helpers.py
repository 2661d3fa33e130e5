"""Small scenario helpers: the steps a person takes, and reading what is stored."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.demo.harness import Harness
from sandbox.workspace import Channel, Message, OpenView, User
from storage.db import Database
from storage.models import Issue, OutboxItem, TimelineEvent

# How long the bot waits for the sandbox Slack. Four test lanes share two cores, so an
# ordinary call can take over a second; a timeout there would only retry in fake time,
# which a test never reaches. Tests that hold Slack's answer on purpose (a "late" or
# "timeout" fault) mark themselves `slack_timeout(IMPATIENT)` so the bot gives up soon.
PATIENT = 10.0
IMPATIENT = 2.0


def slack_timeout(request: pytest.FixtureRequest) -> float:
    marker = request.node.get_closest_marker("slack_timeout")
    return float(marker.args[0]) if marker else PATIENT


GOOD_REPORT = {
    "title": "Checkout fails with 502",
    "type": "outage",
    "severity": "critical",
    "priority": "high",
    "service": "checkout-api",
    "environment": "prod eu-west-1, Firefox 131",
    "description": "Customers get a 502 on the payment step.",
    "stack_trace": "Traceback (most recent call last):\n  File 'pay.py', line 3\nTimeoutError",
    "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
    "users_affected": "120",
}


def people(h: Harness) -> tuple[User, User, Channel]:
    """A reporter, a responder and a #support channel both (and the bot) are in."""
    dana = h.ws.add_user("dana", "Dana")
    sam = h.ws.add_user("sam", "Sam")
    support = h.ws.add_channel("support", dana, sam, h.ws.bot)
    return dana, sam, support


async def new_view(h: Harness, user: User, seen: set[str]) -> OpenView:
    """Wait for a modal the user did not have open before."""
    return await h.ws.wait_for(
        lambda: next((v for v in h.ws.open_views_of(user.id) if v.id not in seen), None)
    )


async def open_modal(h: Harness, user: User, channel: Channel, text: str = "") -> OpenView:
    seen = set(h.ws.views)
    reply = await h.driver.slash_command(user, channel, text)
    assert reply.status == 200, reply
    return await new_view(h, user, seen)


async def file_report(h: Harness, user: User, channel: Channel, **answers: Any) -> Issue:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()
    return only_issue(h.firebell.runtime.db)


async def file_another(h: Harness, user: User, channel: Channel, **answers: Any) -> Issue:
    """Like file_report, where issues exist already: returns the newest."""
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()
    return issues(h.firebell.runtime.db)[-1]


async def file_from_message(h: Harness, user: User, message: Message, **answers: Any) -> OpenView:
    """Use "File an issue" on a message, submit the prefilled form with these answers."""
    seen = set(h.ws.views)
    await h.driver.message_shortcut(user, message)
    view = await new_view(h, user, seen)
    reply = await h.driver.submit_view(user, view, answers)
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()
    return view


def issues(db: Database) -> list[Issue]:
    with db.session() as session:
        return list(session.exec(select(Issue).order_by(Issue.number)))  # type: ignore[arg-type]


def only_issue(db: Database) -> Issue:
    found = issues(db)
    assert len(found) == 1, f"expected one issue, found {len(found)}"
    return found[0]


def timeline_kinds(db: Database, issue: Issue) -> list[str]:
    with db.session() as session:
        events = session.exec(
            select(TimelineEvent)
            .where(TimelineEvent.issue_id == issue.id)
            .order_by(TimelineEvent.id)  # type: ignore[arg-type]
        )
        return [e.kind for e in events]


def pending_outbox(db: Database) -> list[OutboxItem]:
    with db.session() as session:
        return list(
            session.exec(
                select(OutboxItem).where(OutboxItem.status == "pending").order_by(OutboxItem.id)
            )
        )


def fresh(db: Database, issue: Issue) -> Issue:
    with db.session() as session:
        row = session.get(Issue, issue.id)
        assert row is not None
        return row


def channel_of(h: Harness, issue: Issue) -> Channel:
    return h.ws.channels[issue.channel_id or ""]


async def run(h: Harness, user: User, channel: Channel, text: str) -> str:
    """Run `/incident <text>` and return what the person sees (the ephemeral reply)."""
    reply = await h.driver.slash_command(user, channel, text)
    assert reply.status == 200, reply
    await h.firebell.settle()
    blocks = reply.json.get("blocks")
    return reply.text + ("\n" + str(blocks) if blocks else "")


def bot_messages(h: Harness, channel: Channel) -> list[Message]:
    return [m for m in h.ws.messages_in(channel.id) if m.user == h.ws.bot.id]


def last_text(h: Harness, channel: Channel) -> str:
    return bot_messages(h, channel)[-1].text


async def click(
    h: Harness, user: User, message: Message, action_id: str, value_prefix: str = ""
) -> None:
    """Press the button with this action id (and value prefix) on a message."""
    reply = await h.driver.press(user, message, action_id, value_prefix)
    assert reply.status == 200, reply
    await h.firebell.settle()
