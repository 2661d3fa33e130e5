"""One process in Socket Mode: a real `firebell socket` subprocess takes Slack over the
websocket and, on its HTTP port, probes, an Alertmanager webhook, /metrics and the API."""

from __future__ import annotations

import json
from pathlib import Path

import aiohttp

from sandbox import Sandbox
from tests.processes import POLL_SECONDS, firebell_env, start_firebell, until

TOKEN = "hook-token-for-socket"


async def test_an_alert_posted_to_firebell_socket_opens_an_issue_in_slack(
    sandbox: Sandbox, empty_database: str, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yml"
    config.write_text(
        f"webhooks:\n  tokens:\n    alertmanager: {TOKEN}\n"
        f"api:\n  tokens:\n    ops: {{token: {TOKEN}-api-0123456789}}\n"
    )
    env = firebell_env(
        sandbox,
        empty_database,
        config,
        SLACK_APP_TOKEN=sandbox.workspace.app_token,
        OUTBOX_POLL_SECONDS=POLL_SECONDS,
    )
    env.pop("SLACK_SIGNING_SECRET")
    process = await start_firebell(env, "socket", probe="/readyz")
    base = process.url
    try:
        async with aiohttp.ClientSession() as http:
            alert = {
                "version": "4",
                "status": "firing",
                "receiver": "firebell",
                "groupKey": '{}:{alertname="DiskFull"}',
                "alerts": [
                    {
                        "status": "firing",
                        "labels": {"alertname": "DiskFull", "severity": "sev2", "service": "db"},
                        "annotations": {"summary": "Disk full on db-1"},
                        "fingerprint": "abc123",
                        "startsAt": "2026-11-24T10:00:00Z",
                    }
                ],
            }
            async with http.post(
                f"{base}/webhooks/alertmanager",
                data=json.dumps(alert),
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            ) as answer:
                assert answer.status == 202, await answer.text()
            await until(
                lambda: any("Disk full on db-1" in m.text for m in sandbox.workspace.messages),
                20,
            )
            async with http.get(f"{base}/metrics") as metrics:
                assert "firebell_alerts_received_total" in await metrics.text()
            headers = {"Authorization": f"Bearer {TOKEN}-api-0123456789"}
            async with http.get(f"{base}/api/v1/issues", headers=headers) as listed:
                issues = (await listed.json())["issues"]
                assert [i["severity"] for i in issues] == ["major"]  # sev2
            async with http.post(f"{base}/slack/events", data=b"{}") as events:
                assert events.status == 404  # Slack talks over the socket here
        assert await process.stop() == 0
    finally:
        await process.kill()
