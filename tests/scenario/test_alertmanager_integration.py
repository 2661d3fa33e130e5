"""A real Prometheus Alertmanager, sending to Firebell's webhook.

Alerts are fired and resolved through Alertmanager's own API; Alertmanager
groups them and notifies Firebell on its own timers (group_wait 0s,
group_interval 1s), so this test waits for real notifications, briefly.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import running
from storage.models import AlertGroup, Issue
from tests.ports import free_port
from tests.processes import wait_for_http

BINARY = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
TOKEN = "am-token-0123456789"

pytestmark = pytest.mark.skipif(
    BINARY is None and not os.environ.get("CI"),
    reason="prometheus-alertmanager is not installed (.ci/run installs it)",
)


@pytest.fixture
def alertmanager_config(tmp_path: Path) -> Iterator[tuple[Path, int]]:
    yield tmp_path / "alertmanager.yml", free_port()


async def wait_until(check: object, seconds: float = 20.0) -> None:
    """Poll a real external process's effect; it runs on its own clock."""
    deadline = asyncio.get_running_loop().time() + seconds
    while not check():  # type: ignore[operator]
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("Alertmanager did not notify Firebell in time")
        await asyncio.sleep(0.1)


async def test_alertmanager_fires_and_resolves_through_firebell(
    database_url: str, alertmanager_config: tuple[Path, int], tmp_path: Path
) -> None:
    assert BINARY is not None, "CI installs prometheus-alertmanager; it is missing"
    config_path, am_port = alertmanager_config
    config = FirebellConfig.model_validate(
        {
            "webhooks": {"tokens": {"alertmanager": TOKEN}},
            "alert_routes": [{"name": "am", "source": "alertmanager", "resolve_fixes": True}],
        }
    )
    async with running(database_url, clock=FakeClock(datetime.now(UTC)), config=config) as h:
        config_path.write_text(f"""
route:
  receiver: firebell
  group_by: [alertname]
  group_wait: 0s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: firebell
    webhook_configs:
      - url: {h.bot_url}/webhooks/alertmanager
        send_resolved: true
        http_config:
          authorization:
            credentials: {TOKEN}
""")
        process = await asyncio.create_subprocess_exec(
            BINARY,
            f"--config.file={config_path}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{am_port}",
            "--cluster.listen-address=",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        api = f"http://127.0.0.1:{am_port}/api/v2"
        try:
            await wait_for_http(f"{api}/status", "Alertmanager", attempts=100, pause=0.1)
            async with aiohttp.ClientSession() as session:
                alert = {
                    "labels": {"alertname": "DiskFull", "severity": "critical", "service": "db"},
                    "annotations": {"summary": "Disk full on db-1"},
                }
                async with session.post(f"{api}/alerts", json=[alert]) as resp:
                    assert resp.status == 200

                def issue_opened() -> bool:
                    with h.firebell.runtime.db.session() as s:
                        return s.exec(select(Issue)).first() is not None

                await wait_until(issue_opened)
                await h.firebell.settle()
                with h.firebell.runtime.db.session() as s:
                    issue = s.exec(select(Issue)).one()
                assert (issue.title, issue.severity, issue.service) == (
                    "Disk full on db-1",
                    "critical",
                    "db",
                )
                assert issue.channel_id in h.ws.channels

                ended = {**alert, "endsAt": datetime.now(UTC).isoformat()}
                async with session.post(f"{api}/alerts", json=[ended]) as resp:
                    assert resp.status == 200

                def resolved() -> bool:
                    with h.firebell.runtime.db.session() as s:
                        group = s.exec(select(AlertGroup)).one()
                        return group.status == "resolved"

                await wait_until(resolved)
                await h.firebell.settle()
                with h.firebell.runtime.db.session() as s:
                    assert s.exec(select(Issue)).one().status == "fixed"
        finally:
            process.terminate()
            await process.wait()
