"""An issue closes through three doors: `/incident close`, the weekly digest's Close
button and `/incident merge`. Each goes through the lifecycle's one close, so each
has the same effects: the feed message edited, the status rollup moved, the phase
set, the SLA clocks stopped, and the reporter told by DM."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from storage.models import Issue, IssueMetrics, SlaClock
from tests.helpers import channel_of, click, file_another, fresh, run


async def _closed_the_same_way(
    h: Harness, feed: Channel, reporter: User, issue: Issue, at: datetime
) -> None:
    db = h.firebell.runtime.db
    row = fresh(db, issue)
    assert (row.status, row.phase, row.closed_at) == ("closed", "analysis", at), row.key
    with db.session() as session:
        metrics = session.get(IssueMetrics, issue.id)
        clocks = session.exec(select(SlaClock).where(SlaClock.issue_id == issue.id)).all()
    assert metrics is not None and metrics.status_since == at, row.key  # the rollup moved
    assert clocks and all(c.stopped_at is not None for c in clocks), row.key
    [post] = [
        m
        for m in h.ws.messages_in(feed.id)
        if m.user == h.ws.bot.id and f"*{row.key}*" in str(m.blocks)
    ]
    assert post.edited and "*Closed*" in str(post.blocks), (row.key, post.blocks)
    told = [m.text for m in h.ws.dms_to(reporter.id) if row.key in m.text]
    assert any("closed" in text for text in told), (row.key, told)


async def test_every_door_closes_an_issue_with_the_same_effects(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    feed = ws.add_channel("incidents", dana, sam, ws.bot)
    review = ws.add_channel("bug-review", ws.bot)
    config = FirebellConfig.model_validate(
        {
            "announce": {"channel": feed.id, "severities": ["critical"]},
            "digest": {"channel": review.id, "day": "mon", "at": "09:00", "stale_after": "7d"},
        }
    )
    clock.advance(days=-14)  # filed two weeks before the Monday 09:00 review
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            kept, by_command, in_review, duplicate = [
                await file_another(h, dana, support, title=title)
                for title in ("Checkout fails", "Login slow", "Old warning", "Checkout 502")
            ]
            for issue in (kept, by_command, in_review, duplicate):
                await run(h, sam, channel_of(h, issue), "ack")  # sam leads; phase: response
            clock.advance(days=14)
            await h.firebell.tick()

            # Door 1: the command, along the lifecycle to Fixed, then Closed.
            room = channel_of(h, by_command)
            for step in ("status revise", "status retest", "fixed"):
                await run(h, sam, room, step)
            clock.advance(minutes=5)
            assert await run(h, sam, room, "close Restarted the pool") == "INC-2 moved to Closed."
            await _closed_the_same_way(h, feed, dana, by_command, clock.now())

            # Door 2: the weekly digest's Close button, from Assigned.
            [digest] = h.ws.messages_in(review.id)
            clock.advance(minutes=5)
            await click(h, sam, digest, "digest_close", str(in_review.id))
            await _closed_the_same_way(h, feed, dana, in_review, clock.now())

            # Door 3: a merge closes the duplicate, from Assigned.
            clock.advance(minutes=5)
            answer = await run(h, sam, channel_of(h, duplicate), "merge into INC-1")
            assert answer == "INC-4 is merged into INC-1."
            await _closed_the_same_way(h, feed, dana, duplicate, clock.now())
            assert fresh(h.firebell.runtime.db, kept).status == "assigned"
    finally:
        await sandbox.stop()
