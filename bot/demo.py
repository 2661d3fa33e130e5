"""`firebell demo`: a customer message becomes a tracked issue, end to end, no Slack account.

The bot and a sandbox Slack run in this process on a temporary SQLite file;
the script acts as the people, and the transcript shows what Slack would show.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from bot.harness import Harness, running
from sandbox.transcript import render

CUSTOMER_MESSAGE = (
    "Hi team, checkout keeps failing for me with 'Error 502' since about 10:05. "
    "I tried two cards and Firefox and Chrome. Order id 88812."
)


async def run_demo(out: Callable[[str], None] = print) -> int:
    logging.getLogger().setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="firebell-demo-") as tmp:
        database_url = f"sqlite:///{Path(tmp) / 'firebell.db'}"
        async with running(database_url) as h:
            return await _play(h, out)


def _step(out: Callable[[str], None], text: str) -> None:
    out(f"\n── {text}")


async def _play(h: Harness, out: Callable[[str], None]) -> int:
    ws = h.ws
    dana = ws.add_user("dana", "Dana (support)")
    sam = ws.add_user("sam", "Sam (SRE)")
    customer = ws.add_user("casey", "Casey (customer)")
    support = ws.add_channel("support", dana, sam, customer, ws.bot)

    out("Firebell demo: the bot and a local Slack sandbox, talking over HTTP on loopback.")
    _step(out, "A customer writes in #support")
    message = ws.post(support, customer, CUSTOMER_MESSAGE)
    out(render(ws, since=len(ws.messages) - 1))

    _step(out, "Dana picks “File an issue” from the message's ⋯ menu; the form opens prefilled")
    await h.driver.message_shortcut(dana, message)
    view = await ws.wait_for(lambda: next(iter(ws.open_views_of(dana.id)), None))
    description = next(b for b in view.view["blocks"] if b.get("block_id") == "description")
    out(
        f"    modal “{view.view['title']['text']}”, description: "
        f"{description['element'].get('initial_value', '')[:60]}…"
    )

    _step(out, "Dana submits without a title and gets an inline error")
    reply = await h.driver.submit_view(dana, view, {"type": "outage", "severity": "critical"})
    out(f"    errors: {reply.json.get('errors')}")

    _step(out, "Dana completes the form and submits")
    before = len(ws.messages)
    reply = await h.driver.submit_view(
        dana,
        view,
        {
            "title": "Checkout fails with 502 for card payments",
            "type": "outage",
            "severity": "critical",
            "priority": "high",
            "service": "checkout-api",
            "environment": "prod, eu-west-1, web (Firefox, Chrome)",
            "trace_id": "4bf92f3577b34da6a3ce929d0e0e4736",
            "users_affected": "120",
        },
    )
    out(f"    modal closed: {reply.status == 200 and not reply.json}")
    await h.firebell.settle()
    out(render(ws, since=before))

    channel = next((c for c in ws.channels.values() if c.name.startswith("inc-1-")), None)
    ok = (
        channel is not None
        and dana.id in channel.members
        and bool(channel.pins)
        and bool(ws.dms_to(dana.id))
    )
    _step(out, "Result")
    if channel is None:
        out("    FAILED: no issue channel was created")
        return 1
    out(
        f"    INC-1 has its channel #{channel.name} with {len(channel.members)} members, "
        f"a pinned card, a DM to the reporter, and a reply in the #support thread."
    )
    out(f"    Slack Web API calls made by the bot: {len(ws.calls)}")
    return 0 if ok else 1
