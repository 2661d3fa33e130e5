"""The central feed: each new issue of a chosen severity posted once to one channel,
with a link to its own, and that same message edited as the issue changes. Private
issues never appear there."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, Message, User
from tests.helpers import (
    GOOD_REPORT,
    IMPATIENT,
    channel_of,
    issues,
    open_modal,
    pending_outbox,
    run,
    slack_timeout,
)


@dataclass
class Feed:
    h: Harness
    dana: User
    sam: User
    support: Channel
    feed: Channel

    def messages(self) -> list[Message]:
        return [m for m in self.h.ws.messages_in(self.feed.id) if m.user == self.h.ws.bot.id]

    async def file(self, **answers: object) -> None:
        view = await open_modal(self.h, self.dana, self.support)
        reply = await self.h.driver.submit_view(self.dana, view, {**GOOD_REPORT, **answers})
        assert reply.status == 200 and not reply.json, reply
        await self.h.firebell.settle()


@pytest.fixture
async def f(
    database_url: str, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Feed]:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    feed = ws.add_channel("incidents", dana, sam, ws.bot)
    config = FirebellConfig.model_validate(
        {"announce": {"channel": feed.id, "severities": ["critical", "major"]}}
    )
    try:
        async with running(
            database_url,
            clock=clock,
            config=config,
            sandbox=sandbox,
            slack_timeout_seconds=slack_timeout(request),
        ) as h:
            yield Feed(h, dana, sam, support, feed)
    finally:
        await sandbox.stop()


def shown(message: Message) -> str:
    return str(message.blocks)


async def test_a_new_issue_is_posted_once_and_its_message_follows_the_status(
    f: Feed, clock: FakeClock
) -> None:
    await f.file(severity="critical")
    issue = issues(f.h.firebell.runtime.db)[0]
    room = channel_of(f.h, issue)
    [post] = f.messages()
    assert "*INC-1* Checkout fails with 502" in shown(post)
    assert f"<#{room.id}>" in shown(post)  # the link to the issue channel
    assert "*New* · nobody leads yet" in shown(post)

    clock.advance(minutes=5)
    await run(f.h, f.sam, room, "ack")
    await f.h.firebell.settle()
    [post] = f.messages()  # the same message, edited
    assert post.edited and f"*Assigned* · lead <@{f.sam.id}>" in shown(post)

    await run(f.h, f.sam, room, "status revise")
    await run(f.h, f.sam, room, "status retest")
    await run(f.h, f.sam, room, "fixed")
    clock.advance(hours=2)
    await run(f.h, f.sam, room, "close Pool size restored")
    await f.h.firebell.settle()
    [post] = f.messages()
    assert "*Closed* after 2h 5m" in shown(post)


@pytest.mark.slack_timeout(IMPATIENT)  # the feed post is answered late
async def test_private_and_minor_issues_stay_out_until_raised(f: Feed, clock: FakeClock) -> None:
    await f.file(severity="critical", title="Payroll export leaks", private=["private"])
    await f.file(severity="minor", title="Invoice total rounds wrong")
    assert f.messages() == []
    minor = issues(f.h.firebell.runtime.db)[1]
    room = channel_of(f.h, minor)
    await run(f.h, f.sam, room, "ack")
    # Slack performs the feed post but answers too late: the retry finds it, no second post.
    f.h.sandbox.faults.inject("chat.postMessage", "late", times=1)
    assert await run(f.h, f.sam, room, "severity sev2") == "INC-2 severity is now Major."
    await f.h.firebell.settle()
    late = [c for c in f.h.ws.calls_to("chat.postMessage") if c.late]
    assert [c.args.get("channel") for c in late] == [f.feed.id]  # it was the feed post
    f.h.sandbox.faults.clear()
    clock.advance(minutes=1)
    await f.h.firebell.settle()
    assert pending_outbox(f.h.firebell.runtime.db) == []
    [post] = f.messages()
    assert "*INC-2* Invoice total rounds wrong" in shown(post)
    assert "Payroll" not in str([m.blocks for m in f.h.ws.messages_in(f.feed.id)])


async def test_typed_markup_in_the_feed_is_text_not_a_ping_or_a_link(f: Feed) -> None:
    """The feed's readers follow every issue: a service or title holding `<!channel>`
    would ping them all, in the blocks or in the notification text."""
    await f.file(title="<!channel> pay <https://evil.example|docs>", service="<!here>")
    issue = issues(f.h.firebell.runtime.db)[0]
    await run(f.h, f.sam, channel_of(f.h, issue), "ack")  # the edit says it again
    await f.h.firebell.settle()
    [post] = f.messages()
    assert post.edited
    assert "&lt;!channel&gt; pay &lt;https://evil.example|docs&gt;" in shown(post)
    assert "· &lt;!here&gt; ·" in shown(post)
    assert post.text.startswith("INC-1 &lt;!channel&gt; pay &lt;https://evil.example|docs&gt;")
    posted = [c.args for c in f.h.ws.calls_to("chat.postMessage")]
    edits = [c.args for c in f.h.ws.calls_to("chat.update")]
    feed_calls = [a for a in posted + edits if a.get("channel") == f.feed.id]
    assert len(feed_calls) >= 2
    for sent in feed_calls:
        assert not any(word in str(sent) for word in ("<!channel>", "<!here>", "<https://evil"))
