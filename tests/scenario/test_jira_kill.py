"""Jira down across a kill -9: a real `firebell serve` process is killed while Jira holds
the answer to a create it has already done; a new process delivers the pending item and
the end state is one Jira issue, its key stored and on the card. The Jira stand-in runs
in this test's process, on loopback."""

from __future__ import annotations

import json
import os
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import create_engine, text

from sandbox import Sandbox
from sandbox.jira import JiraCloud
from storage.db import normalise_url
from tests.processes import POLL_SECONDS, FirebellProcess, firebell_env, start_firebell, until

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")
TOKEN = "hook-token-0123456789"


@pytest.fixture
async def jira() -> AsyncIterator[JiraCloud]:
    cloud = await JiraCloud().start()
    yield cloud
    await cloud.stop()


async def start(
    sandbox: Sandbox, jira: JiraCloud, database: str, tmp_path: Path
) -> FirebellProcess:
    config = tmp_path / "firebell.yml"
    config.write_text(
        f"webhooks:\n  tokens:\n    generic: {TOKEN}\n"
        f"jira:\n  url: {jira.url}\n  email: {jira.email}\n  api_token: {jira.api_token}\n"
        "  project: OPS\n  auto: [critical]\n"
        '  fields: {customfield_10551: "{service}"}\n'
    )
    env = firebell_env(sandbox, database, config, OUTBOX_POLL_SECONDS=POLL_SECONDS)
    return await start_firebell(env)


async def alert(replica: FirebellProcess) -> None:
    body = {"fingerprint": "db-1", "title": "Orders DB down", "severity": "critical",
            "service": "orders"}  # fmt: skip
    headers = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{replica.url}/webhooks/generic", data=json.dumps(body), headers=headers) as a,
    ):
        assert a.status == 202


def query(database: str, sql: str) -> list[tuple[object, ...]]:
    engine = create_engine(normalise_url(database))
    try:
        with engine.connect() as conn:
            return [tuple(row) for row in conn.execute(text(sql))]
    finally:
        engine.dispose()


def card_blocks(sandbox: Sandbox) -> str:
    """The issue's card as Slack shows it now ("" before its channel and card exist)."""
    ws = sandbox.workspace
    rooms = [c for c in ws.channels.values() if c.name.startswith("inc-1")]
    cards = [m for c in rooms for m in ws.messages_in(c.id) if m.text.startswith("INC-1:")]
    assert len(cards) <= 1, [m.text for m in cards]
    return str(cards[0].blocks) if cards else ""


async def test_killed_mid_create_while_jira_is_down_makes_one_jira_issue(
    sandbox: Sandbox, empty_database: str, tmp_path: Path, jira: JiraCloud
) -> None:
    # Jira creates the issue and then keeps the caller waiting until the faults clear.
    jira.faults.inject("create", "late", times=1, hold=120)
    first = await start(sandbox, jira, empty_database, tmp_path)
    try:
        await alert(first)
        await until(lambda: len(jira.created()) == 1, 30)
        # SIGKILL at once, mid-call (the process waits up to 15 s, its Jira timeout, for
        # the answer): the item's lease and Jira's answer are lost with it.
        await first.kill()
        assert [op for op, _path, _status in jira.calls] == ["create"]  # no retry came yet
    finally:
        await first.kill()
    assert query(empty_database, "SELECT jira_key FROM jira_issues") == []
    # Jira is back from the hold but still down for the next call (the search first).
    jira.faults.clear()
    jira.faults.inject("search", "server_error", status=503, times=1)
    second = await start(sandbox, jira, empty_database, tmp_path)
    try:
        stored = "SELECT jira_key FROM jira_issues"
        left = "SELECT count(*) FROM outbox WHERE status <> 'done'"
        await until(lambda: query(empty_database, stored) != [], 60)
        await until(lambda: query(empty_database, left) == [(0,)], 60)
        assert [i.key for i in jira.created()] == ["OPS-1"]  # one Jira issue, never a second
        await until(lambda: "Jira OPS-1" in card_blocks(sandbox), 30)
    finally:
        await second.kill()
    assert query(empty_database, "SELECT jira_key FROM jira_issues") == [("OPS-1",)]
    searches = [status for op, _path, status in jira.calls if op == "search"]
    assert searches[:1] == [503] and 200 in searches  # retried after Jira's failure
    assert [op for op, _path, _status in jira.calls].count("create") == 1
    room = next(c for c in sandbox.workspace.channels.values() if c.name.startswith("inc-1"))
    told = [
        m for m in sandbox.workspace.messages_in(room.id) if "Jira issue OPS-1 created" in m.text
    ]
    assert len(told) == 1, [m.text for m in told]
    print(f"kill -9 mid-create: 1 Jira issue ({'PostgreSQL' if PG_URL else 'SQLite'})")
