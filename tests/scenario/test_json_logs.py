"""LOG_FORMAT=json: every line a real `firebell serve` writes is one JSON object, the
lines about an issue carry its key (and the request, webhook source and outbox item
they belong to), and no token appears."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import aiohttp

from sandbox import Sandbox
from tests.processes import POLL_SECONDS, firebell_env, start_firebell, until

TOKEN = "generic-hook-token-5e3c9a"


async def test_every_line_is_json_and_names_the_issue_it_is_about(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yml"
    config.write_text(f"webhooks:\n  tokens:\n    generic: {TOKEN}\n")
    env = firebell_env(
        sandbox, empty_database, config, LOG_FORMAT="json", OUTBOX_POLL_SECONDS=POLL_SECONDS
    )
    log_file = tmp_path / "firebell.log"
    with log_file.open("wb") as sink:
        process = await start_firebell(env, log_level="INFO", stderr=sink)
        try:
            body = {"fingerprint": "disk-1", "title": "Disk full on db-1"}
            # The query-string token (for senders that cannot set headers) is masked.
            async with (
                aiohttp.ClientSession() as http,
                http.post(f"{process.url}/webhooks/generic?token={TOKEN}", json=body) as answer,
            ):
                assert answer.status == 202, await answer.text()
                request_id = answer.headers["X-Request-Id"]
            await until(
                lambda: any("Disk full on db-1" in m.text for m in sandbox.workspace.messages), 20
            )
            await asyncio.sleep(0)  # let the last deliveries log
        finally:
            await process.stop()
    text = log_file.read_text()
    assert TOKEN not in text
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # all JSON
    assert all({"time", "level", "logger", "message"} <= line.keys() for line in lines)
    about = [line for line in lines if line.get("issue") == "INC-1"]
    kinds = {line.get("outbox_kind") for line in about}
    assert {"create_channel", "post_card"} <= kinds, kinds
    access = [line for line in lines if line.get("request_id") == request_id]
    assert any(line.get("webhook_source") == "generic" for line in access)
    assert any(line["logger"] == "aiohttp.access" for line in access)
