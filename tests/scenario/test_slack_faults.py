"""Slack failing during capture: rate limits, 5xx, timeouts, an outage across a restart."""

from __future__ import annotations

import pytest

from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from tests.helpers import (
    GOOD_REPORT,
    IMPATIENT,
    PATIENT,
    file_report,
    only_issue,
    open_modal,
    pending_outbox,
    people,
)


async def test_rate_limit_is_waited_out_as_retry_after_says(h: Harness, clock: FakeClock) -> None:
    dana, _, support = people(h)
    h.sandbox.faults.inject("conversations.create", "ratelimit", times=1, retry_after=30)
    issue = await file_report(h, dana, support)
    assert issue.channel_id is not None
    creates = h.ws.calls_to("conversations.create")
    assert [(c.status, c.ok) for c in creates] == [(429, False), (200, True)]
    assert 30 in clock.slept  # waited exactly what Retry-After said, on the injected clock


async def test_slack_outage_at_submit_loses_nothing(h: Harness, clock: FakeClock) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    h.sandbox.faults.inject("*", "server_error", status=503)
    reply = await h.driver.submit_view(dana, view, GOOD_REPORT)
    assert reply.status == 200 and reply.json == {}  # the modal closes: the issue is stored
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    assert issue.channel_id is None and len(pending_outbox(h.firebell.runtime.db)) == 6

    h.sandbox.faults.clear()
    clock.advance(minutes=5)  # past the backoff
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    assert issue.channel_id and issue.card_ts
    assert [c.name for c in h.ws.channels.values() if c.name.startswith("inc-")] == [
        "inc-1-checkout-fails-with-502"
    ]
    assert len(h.ws.dms_to(dana.id)) == 1
    assert pending_outbox(h.firebell.runtime.db) == []


@pytest.mark.slack_timeout(IMPATIENT)
async def test_timeouts_retry_with_backoff_and_post_one_card(h: Harness, clock: FakeClock) -> None:
    dana, _, support = people(h)
    h.sandbox.faults.inject("chat.postMessage", "timeout", times=1)
    issue = await file_report(h, dana, support)
    assert issue.channel_id and issue.card_ts is None  # the card timed out, the DM waits its turn
    assert h.ws.dms_to(dana.id) == []
    h.sandbox.faults.clear()
    clock.advance(seconds=1)
    await h.firebell.settle()
    assert only_issue(h.firebell.runtime.db).card_ts is None  # still backing off (2 s)
    clock.advance(seconds=2)
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    assert issue.card_ts is not None
    card, checklist = h.ws.messages_in(issue.channel_id or "")
    assert card.ts == issue.card_ts and "checklist" in checklist.text
    assert len(h.ws.dms_to(dana.id)) == 1


async def test_channel_appears_after_a_restart_once_slack_is_back(
    database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, slack_timeout_seconds=PATIENT) as first:
        dana, _, support = people(first)
        view = await open_modal(first, dana, support)
        first.sandbox.faults.inject("*", "server_error")
        await first.driver.submit_view(dana, view, GOOD_REPORT)
        await first.firebell.settle()
        sandbox = first.sandbox
        assert only_issue(first.firebell.runtime.db).channel_id is None
        # The first Firebell stops here with the Slack work still owed.
        async with running(database_url, clock=clock, sandbox=sandbox) as second:
            await first.firebell.stop()
            sandbox.faults.clear()
            clock.advance(minutes=10)
            second.firebell.runtime.worker.kick()
            channel = await sandbox.workspace.wait_for(
                lambda: sandbox.workspace.channel_named("inc-1-checkout-fails-with-502")
            )
            await second.firebell.settle()
            issue = only_issue(second.firebell.runtime.db)
            assert issue.channel_id == channel.id and issue.card_ts
            assert len(sandbox.workspace.dms_to(dana.id)) == 1
