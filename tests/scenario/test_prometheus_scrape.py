"""A real Prometheus (Debian's package) scrapes a running Firebell; its HTTP API
reports the figures the scenario produced."""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.core.clock import FakeClock
from bot.demo.harness import running
from tests.helpers import channel_of, file_report, people, run
from tests.ports import free_port

BINARY = shutil.which("prometheus")

pytestmark = pytest.mark.skipif(
    BINARY is None and not os.environ.get("CI"),
    reason="prometheus is not installed (.ci/run installs it)",
)


async def query(http: aiohttp.ClientSession, base: str, promql: str) -> list[dict[str, Any]]:
    async with http.get(f"{base}/api/v1/query", params={"query": promql}) as answer:
        body = await answer.json()
    return list(body.get("data", {}).get("result", []))


async def test_prometheus_scrapes_open_issues_and_time_to_acknowledge(
    database_url: str, clock: FakeClock, tmp_path: Path
) -> None:
    assert BINARY is not None, "CI installs prometheus; it is missing"
    async with running(database_url, clock=clock) as h:
        dana, sam, support = people(h)
        issue = await file_report(h, dana, support)  # critical
        clock.advance(minutes=10)
        await run(h, sam, channel_of(h, issue), "ack")
        target = h.bot_url.removeprefix("http://")
        config = tmp_path / "prometheus.yml"
        config.write_text(
            "global:\n  scrape_interval: 1s\n"
            f"scrape_configs:\n  - job_name: firebell\n    static_configs:\n"
            f"      - targets: ['{target}']\n"
        )
        port = free_port()
        prometheus = await asyncio.create_subprocess_exec(
            BINARY,
            f"--config.file={config}",
            f"--storage.tsdb.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            async with aiohttp.ClientSession() as http:
                for _ in range(300):  # bounded: Prometheus starts and scrapes within seconds
                    try:
                        open_now = await query(http, base, "firebell_issues_open")
                        acked = await query(http, base, "firebell_time_to_acknowledge_seconds_sum")
                        if open_now and acked:
                            break
                    except aiohttp.ClientError:
                        pass
                    await asyncio.sleep(0.1)
                else:
                    raise AssertionError("Prometheus never scraped Firebell")
        finally:
            prometheus.terminate()
            await prometheus.wait()
    assert sum(float(r["value"][1]) for r in open_now) == 1
    assert open_now[0]["metric"]["severity"] == "critical"
    assert float(acked[0]["value"][1]) == 600  # acknowledged 10 minutes after filing
    assert acked[0]["metric"]["severity"] == "critical"
