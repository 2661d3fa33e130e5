"""Typed text is text: Slack markup put in every free-text field reaches no Web API call
as markup (no @channel, no disguised link, no mention), whatever surface shows it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from tests.helpers import GOOD_REPORT, channel_of, click, file_report, new_view, run
from tests.scenario.test_detection import TOKEN, post

HOSTILE = "<!channel> look <https://evil.example|here> <@U123> & more"
MARKUP = ("<!channel>", "<https://evil.example|here>", "<@U123>")


def mrkdwn_texts(value: Any) -> Iterator[str]:
    """Every string Slack would read as mrkdwn in a call's arguments: `text` fields of
    messages and every mrkdwn text object in blocks (plain_text is shown literally)."""
    if isinstance(value, dict):
        if value.get("type") == "plain_text":
            return
        for key, item in value.items():
            if key == "text" and isinstance(item, str):
                yield item
            else:
                yield from mrkdwn_texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from mrkdwn_texts(item)


@pytest.fixture
async def he(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    sandbox = await Sandbox().start()
    # The feed: its readers follow every issue, so markup there would ping them all.
    feed = sandbox.workspace.add_channel("incidents", sandbox.workspace.bot)
    config = FirebellConfig.model_validate(
        {
            "webhooks": {"tokens": {"generic": TOKEN, "deploy": TOKEN}},
            "announce": {"channel": feed.id, "severities": ["critical", "major"]},
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            yield h
    finally:
        await sandbox.stop()


async def test_markup_in_every_free_text_field_stays_text(he: Harness) -> None:
    h = he
    ws = h.ws
    dana, sam = ws.add_user("dana", "Dana"), ws.add_user("sam", "Sam")
    support = ws.add_channel("support", dana, sam, ws.bot)
    typed = {
        key: HOSTILE for key in ("title", "service", "environment", "description", "stack_trace")
    }
    issue = await file_report(h, dana, support, **{**GOOD_REPORT, **typed})
    room = channel_of(h, issue)
    room.members.add(sam.id)
    await run(h, sam, room, "ack")
    await run(h, sam, room, f"update {HOSTILE}")
    pinned = ws.post(room, dana, HOSTILE)
    await h.driver.event(h.driver.reaction(sam, pinned))
    await h.firebell.settle()
    await run(h, sam, room, "timeline")
    checklist = next(m for m in ws.messages_in(room.id) if "step_skip" in str(m.blocks))
    seen = set(ws.views)
    await click(h, sam, checklist, "step_skip")
    await h.driver.submit_view(sam, await new_view(h, sam, seen), {"reason": HOSTILE})
    await h.firebell.settle()
    for step in ("status revise", "status retest", "fixed", "deployed", f"close {HOSTILE}"):
        await run(h, sam, room, step)
    await run(h, sam, room, "review")
    alert = {
        "fingerprint": "x1",
        "title": HOSTILE,
        "description": HOSTILE,
        "service": HOSTILE,
        "severity": "critical",
    }
    assert (await post(h, "generic", alert))[0] == 202
    deploy = {"service": "checkout-api", "version": HOSTILE, "fixes": ["INC-2"]}
    assert (await post(h, "deploy", deploy))[0] == 201
    await h.firebell.settle()

    checked = 0
    for call in ws.calls:
        for text in mrkdwn_texts(call.args):
            checked += 1
            for markup in MARKUP:
                assert markup not in text, f"{call.method} sent {markup!r} in {text[:200]!r}"
    assert checked > 50
    feed = next(c for c in ws.channels.values() if c.name == "incidents")
    assert sum(c.args.get("channel") == feed.id for c in ws.calls) >= 4  # posts and edits
    everything = " ".join(t for c in ws.calls for t in mrkdwn_texts(c.args))
    assert "&lt;!channel&gt;" in everything  # the text is there, as text
