"""firebell move-data: a SQLite database filled through the real bot moves to an empty
PostgreSQL one, and `firebell serve` on PostgreSQL carries on: the next issue number
follows, the escalation in flight pages once, pending Slack messages go out once."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import running
from sandbox import Sandbox
from storage.owner import hold_shared
from tests.helpers import channel_of, file_another, people, run
from tests.processes import POLL_SECONDS, firebell_env, run_firebell, start_firebell, until

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")
TOKEN = "move-hook-token-0123"
pytestmark = pytest.mark.skipif(not PG_URL, reason="moves into PostgreSQL: the PostgreSQL run")


def config_text(sam: str, olga: str) -> str:
    return (
        "sla:\n  policies:\n    critical: {acknowledge: 15m}\n"
        "escalation_policies:\n  - name: default\n    steps:\n"
        f"      - targets: [{{user: {sam}}}]\n        wait: 10m\n"
        f"      - targets: [{{user: {olga}}}]\n        wait: 10m\n"
        f"webhooks:\n  tokens:\n    generic: {TOKEN}\n"
        "tick_seconds: 0.5\n"
    )


def dump(path: Path) -> str:
    with sqlite3.connect(path) as conn:
        return "\n".join(conn.iterdump())


async def move_data(source: str, target: str) -> tuple[int, str]:
    env = {**os.environ, "DATABASE_URL": source}
    return await run_firebell("move-data", "--to", target, env=env, timeout=120, with_stdout=True)


async def test_move_sqlite_to_postgresql_and_carry_on(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    target = empty_database  # a new PostgreSQL database: the test runs on PostgreSQL only
    source = f"sqlite:///{tmp_path}/firebell.db"
    ws = sandbox.workspace
    clock = FakeClock()
    # 1. Fill SQLite through the real bot.
    olga = ws.add_user("olga", "Olga")
    config_file = tmp_path / "firebell.yml"
    async with running(source, clock=clock, sandbox=sandbox) as h0:
        dana, sam, support = people(h0)
    config_file.write_text(config_text(sam.id, olga.id))
    config = FirebellConfig.model_validate(__import__("yaml").safe_load(config_file.read_text()))
    async with running(source, clock=clock, config=config, sandbox=sandbox) as h:
        closed = await file_another(h, dana, support, title="Closed one")
        room = channel_of(h, closed)
        for step in ("ack", "status revise", "status retest", "fixed", "close Done"):
            await run(h, sam, room, step)
        taken = await file_another(h, dana, support, title="Taken one")
        await run(h, sam, channel_of(h, taken), "ack")
        await file_another(h, dana, support, title="Nobody acks this one")
        clock.advance(minutes=13, seconds=40)  # 90 %: step 1 pages sam; step 2 in flight
        await h.firebell.tick()
        assert len([m for m in ws.dms_to(sam.id) if "needs you" in m.text]) == 1
        sandbox.faults.inject("chat.postMessage", "server_error")
        await run(h, sam, channel_of(h, taken), "update Pending while Slack is down")
        sandbox.faults.clear()
    # 2. Refusals, then the move.
    code, said = await move_data(source, "sqlite:///x.db")
    assert code != 0 and "--to must be a PostgreSQL URL" in said
    hold_shared(source)  # as a running `firebell serve` does
    code, said = await move_data(source, target)
    assert code != 0 and "a Firebell process is using" in said and "stop it first" in said
    from storage import owner

    for handle in owner._held:
        handle.close()
    owner._held.clear()
    before = dump(tmp_path / "firebell.db")
    code, said = await move_data(source, target)
    assert code == 0, said
    assert dump(tmp_path / "firebell.db") == before  # the source is only read
    assert "issues: 3 rows" in said and "counts and key counters match" in said
    code, said = await move_data(source, target)
    assert code != 0 and "is not empty" in said
    # 3. firebell serve on PostgreSQL carries on.
    env = firebell_env(sandbox, target, config_file, OUTBOX_POLL_SECONDS=POLL_SECONDS)
    server = await start_firebell(env)
    try:
        pages_to_olga = lambda: [m for m in ws.dms_to(olga.id) if "needs you" in m.text]  # noqa: E731
        pending = lambda: [  # noqa: E731  (in the channel: the reporter's DM is another)
            m
            for m in ws.messages_in(taken.channel_id or "")
            if "Pending while Slack is down" in m.text
        ]
        await until(lambda: len(pages_to_olga()) == 1 and len(pending()) == 1, 30)

        body = {"fingerprint": "after-the-move", "title": "Disk full after the move"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{server.url}/webhooks/generic",
                json=body,
                headers={"Authorization": f"Bearer {TOKEN}"},
            ) as answer,
        ):
            assert answer.status == 202, await answer.text()
        engine = create_engine(target)
        with engine.connect() as conn:
            numbers = [
                n for (n,) in conn.execute(text("SELECT number FROM issues ORDER BY number"))
            ]
        engine.dispose()
        assert numbers == [1, 2, 3, 4]  # the next number follows on
        # The new issue's card is out: the outbox has gone round again since the
        # page and the pending message were sent, and sent neither twice.
        await until(lambda: any(m.text.startswith("INC-4:") for m in ws.messages), 20)
        assert len(pages_to_olga()) == 1 and len(pending()) == 1
    finally:
        await server.stop()
