"""Real `firebell serve` processes killed with SIGKILL mid-delivery: nothing is lost,
nothing is sent twice, and a surviving replica takes the work over within 15 s."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import aiohttp
from sqlalchemy import create_engine, text

from sandbox import Sandbox, SlackDriver
from storage.db import normalise_url
from tests.processes import POLL_SECONDS, FirebellProcess, firebell_env, start_firebell, until

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")
TOKEN = "hook-token-0123456789"


async def start(
    sandbox: Sandbox, database: str, tmp_path: Path, extra: str = "", timeout: int = 30
) -> FirebellProcess:
    config = tmp_path / "firebell.yml"
    config.write_text(f"webhooks:\n  tokens:\n    generic: {TOKEN}\n{extra}")
    env = firebell_env(
        sandbox,
        database,
        config,
        SLACK_TIMEOUT_SECONDS=str(timeout),  # 30: killed while a call is in flight
        OUTBOX_POLL_SECONDS=POLL_SECONDS,
    )
    return await start_firebell(env)


async def alert(replica: FirebellProcess, fingerprint: str) -> None:
    body = {"fingerprint": fingerprint, "title": f"Disk full on {fingerprint}"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{replica.url}/webhooks/generic",
            data=json.dumps(body),
            headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
        ) as answer,
    ):
        assert answer.status == 202


def pending(database: str) -> int:
    engine = create_engine(normalise_url(database))
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(text("SELECT count(*) FROM outbox WHERE status <> 'done'")).one()[0]
            )
    finally:
        engine.dispose()


async def test_a_replica_killed_mid_post_loses_nothing_and_doubles_nothing(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    ws = sandbox.workspace
    first = await start(sandbox, empty_database, tmp_path)
    try:
        sandbox.faults.inject("chat.postMessage", "late", times=1)  # the card: posted, no answer
        await alert(first, "disk-1")
        await until(lambda: any(c.ok for c in ws.calls_to("chat.postMessage")), 10)
        # On PostgreSQL a second replica is already running when the first dies; SQLite
        # has one process per file, so there the restarted process takes over.
        second = await start(sandbox, empty_database, tmp_path) if PG_URL else None
        await first.kill()  # SIGKILL: no shutdown, the lease and the call are left as they are
        sandbox.faults.clear()
        killed = time.monotonic()
        second = second or await start(sandbox, empty_database, tmp_path)
        try:
            await until(lambda: pending(empty_database) == 0, 15)
            took = time.monotonic() - killed
        finally:
            await second.kill()
    finally:
        await first.kill()
    channels = [c for c in ws.channels.values() if c.name.startswith("inc-1")]
    assert len(channels) == 1
    cards = [m for m in ws.messages_in(channels[0].id) if m.text.startswith("INC-1:")]
    assert len(cards) == 1, [m.text for m in ws.messages_in(channels[0].id)]
    print(f"takeover after SIGKILL: {took:.1f} s ({'PostgreSQL' if PG_URL else 'SQLite'})")


async def test_three_kill_9_rounds_mid_provisioning_leave_no_duplicates(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    """Slack takes 0.3 s to answer every create and post, so the kills land mid-call."""
    ws = sandbox.workspace
    for method in ("conversations.create", "chat.postMessage", "pins.add"):
        sandbox.faults.inject(method, "late", hold=0.3)
    sent = 0
    for round_number in range(3):
        replica = await start(sandbox, empty_database, tmp_path)
        try:
            for _ in range(6):
                sent += 1
                await alert(replica, f"disk-{sent}")
            calls = len(ws.calls)
            await until(lambda c=calls, r=round_number: len(ws.calls) >= c + 3 + r, 10)
        finally:
            await replica.kill()  # SIGKILL mid-delivery
    sandbox.faults.clear()
    last = await start(sandbox, empty_database, tmp_path)
    try:
        await until(lambda: pending(empty_database) == 0, 30)
    finally:
        await last.kill()
    channels = [c for c in ws.channels.values() if c.name.startswith("inc-")]
    numbers = sorted(int(c.name.split("-")[1]) for c in channels)
    assert numbers == list(range(1, sent + 1)), [c.name for c in channels]  # one channel each
    cards = {c.id: [m for m in ws.messages_in(c.id) if m.text.startswith("INC-")] for c in channels}
    assert all(len(found) == 1 for found in cards.values()), {k: len(v) for k, v in cards.items()}
    print(f"{sent} issues over 3 kill -9 rounds: {len(channels)} channels, 0 duplicates")


async def test_pages_slack_answers_late_are_not_sent_twice(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    """A real process pages the on-call person while Slack performs each post but answers
    after the client gave up (1 s); the retries find the DM and the notice."""
    ws = sandbox.workspace
    sam = ws.add_user("sam", "Sam")
    extra = (
        "schedules:\n  - name: primary\n    rotations:\n"
        f"      - participants: [{sam.id}]\n        shift: 1d\n        handoff: 2026-01-05T09:00\n"
        "escalation_policies:\n  - name: default\n    steps:\n"
        "      - targets: [{schedule: primary}]\n"
    )
    replica = await start(sandbox, empty_database, tmp_path, extra, timeout=1)
    try:
        await alert(replica, "api-1")
        await until(lambda: pending(empty_database) == 0, 15)  # INC-1 and its channel
        room = next(c for c in ws.channels.values() if c.name.startswith("inc-1"))
        room.members.add(sam.id)
        sandbox.faults.inject("chat.postMessage", "late", times=2, hold=1.5)
        driver = SlackDriver(sandbox, replica.url)
        try:
            reply = await driver.slash_command(sam, room, "escalate")
        finally:
            await driver.close()
        assert reply.status == 200 and "escalated now" in reply.text
        await until(lambda: pending(empty_database) == 0 and len(ws.dms_to(sam.id)) >= 1, 20)
    finally:
        await replica.kill()
    pages = [m for m in ws.dms_to(sam.id) if "needs you" in m.text]
    notices = [m for m in ws.messages_in(room.id) if m.text.startswith(":mega: Escalated")]
    late = [c for c in ws.calls_to("chat.postMessage") if getattr(c, "late", False)]
    assert len(late) == 2 and (len(pages), len(notices)) == (1, 1)
