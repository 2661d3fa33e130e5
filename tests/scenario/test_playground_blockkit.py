"""The playground's Block Kit renderer draws every block and element type Firebell's
views produce. The types are collected from what the bot really sent while the demo
played an issue from capture to closed (messages, modals, App Home, command answers),
so a view that starts using a new element fails here until the page can draw it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from bot.core.clock import FakeClock
from bot.demo.harness import running
from bot.demo.script import Cast, Script, play
from sandbox import Sandbox

RENDERER = Path(__file__).parents[2] / "sandbox" / "playground" / "static" / "blockkit.js"
COMMANDS = ("help", "timeline", "status", "oncall", "stats", "list", "new")


def drawn(table: str) -> set[str]:
    """The keys of one of blockkit.js's tables (`const BLOCKS = {` … `};`)."""
    source = RENDERER.read_text()
    body = source[source.index(f"const {table} = {{") :]
    body = body[: body.index("\n  };")]
    return set(re.findall(r"^    (\w+): ", body, re.MULTILINE))


def collect(blocks: Any, kinds: dict[str, set[str]]) -> None:
    """Block types, and the types of every element and text object inside them."""

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if isinstance(value.get("type"), str):
                kinds["elements"].add(value["type"])
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for block in blocks or []:
        if isinstance(block, dict):
            kinds["blocks"].add(block["type"])
            walk({k: v for k, v in block.items() if k != "type"})


def sent_by_the_bot(sandbox: Sandbox, replies: list[dict[str, Any]]) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {"blocks": set(), "elements": set()}
    for call in sandbox.workspace.calls:
        collect(call.args.get("blocks"), kinds)
        view = call.args.get("view")
        if isinstance(view, dict):
            collect(view.get("blocks"), kinds)
    for answer in [*sandbox.workspace.responses, *replies]:
        collect(answer.get("blocks"), kinds)
    return kinds


async def test_the_renderer_draws_every_type_firebell_sends(database_url: str) -> None:
    clock = FakeClock()
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    cast = Cast(sandbox.workspace)
    replies: list[dict[str, Any]] = []
    try:
        async with running(database_url, clock=clock, config=cast.config(), sandbox=sandbox) as h:
            script = Script(h, cast, clock, lambda _line: None)
            assert await play(script)
            await h.driver.event(h.driver.home_opened(cast.dana))
            for command in COMMANDS:
                for where in (cast.support, script.room):
                    reply = await h.driver.slash_command(cast.sam, where, command)
                    replies.append(reply.json)
            await h.firebell.settle()
    finally:
        await sandbox.stop()
    kinds = sent_by_the_bot(sandbox, replies)
    # What the walk must have seen, or it proves nothing: the card, a modal, App Home.
    assert {"header", "section", "actions", "input", "context"} <= kinds["blocks"]
    assert {"button", "static_select", "plain_text_input", "mrkdwn"} <= kinds["elements"]
    assert any(c.method == "views.publish" for c in sandbox.workspace.calls)
    assert kinds["blocks"] <= drawn("BLOCKS"), kinds["blocks"] - drawn("BLOCKS")
    assert kinds["elements"] <= drawn("ELEMENTS"), kinds["elements"] - drawn("ELEMENTS")


def test_the_tables_are_read() -> None:
    """The parse above finds the renderer's entries (an empty set would pass anything)."""
    assert {"section", "header", "divider", "context", "actions", "input", "image"} <= drawn(
        "BLOCKS"
    )
    assert {"button", "overflow", "users_select", "file_input", "plain_text"} <= drawn("ELEMENTS")
