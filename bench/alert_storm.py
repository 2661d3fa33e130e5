"""Alert storm: 10,000 Alertmanager alerts over 20 fingerprints, concurrency 50.

Against `firebell serve` on SQLite with the sandbox Slack in its own process
(at a low priority and without Block Kit checks: its CPU stands for Slack's).
Prints alerts/s (target >= 2,000), issues created (must be exactly 20),
Slack calls made, and the most messages one channel got in a second.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ack_latency import free_port, start, wait_healthy  # noqa: E402

ALERTS = int(os.environ.get("BENCH_ALERTS", "10000"))
FINGERPRINTS = 20
CONCURRENCY = 50
TARGET_RATE = 2000
TOKEN = "storm-token-0123456789"


def body(n: int) -> bytes:
    fingerprint = f"storm{n % FINGERPRINTS:02d}"
    return json.dumps(
        {
            "version": "4",
            "status": "firing",
            "receiver": "firebell",
            "groupLabels": {},
            "commonLabels": {},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "alerts": [
                {
                    "status": "firing",
                    "labels": {
                        "alertname": f"Storm{n % FINGERPRINTS}",
                        "severity": "critical",
                        "service": "storm-api",
                    },
                    "annotations": {"summary": f"Storm alert {n % FINGERPRINTS}"},
                    "startsAt": "2026-01-05T09:00:00Z",
                    "endsAt": "0001-01-01T00:00:00Z",
                    "fingerprint": fingerprint,
                }
            ],
        }
    ).encode()


async def storm(session: aiohttp.ClientSession, url: str) -> tuple[float, int]:
    limiter = asyncio.Semaphore(CONCURRENCY)
    failures = 0
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}

    async def one(n: int) -> None:
        nonlocal failures
        async with (
            limiter,
            session.post(url + "/webhooks/alertmanager", data=body(n), headers=headers) as resp,
        ):
            await resp.read()
            if resp.status != 202:
                failures += 1

    started = time.perf_counter()
    await asyncio.gather(*(one(n) for n in range(ALERTS)))
    return time.perf_counter() - started, failures


WRK_SCRIPT = """
local bodies = {}
local sent = 0
function init(args)
  for i = 1, #args do bodies[#bodies + 1] = args[i] end
end
function request()
  sent = sent + 1
  local body = bodies[(sent + id * 7) % #bodies + 1]
  return wrk.format("POST", "/webhooks/alertmanager", headers, body)
end
function setup(thread) thread:set("id", counter); counter = counter + 1 end
counter = 0
"""


def _wrk(url: str, script: Path, seconds: float, bodies: list[str]) -> tuple[int, float, int]:
    out = subprocess.run(
        [
            "wrk",
            "-t",
            "2",
            "-c",
            str(CONCURRENCY),
            "-d",
            f"{max(seconds, 1):.0f}s",
            "-s",
            str(script),
            url,
            "--",
            *bodies,
        ],
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    sent = re.search(r"(\d+) requests in ([\d.]+)(m?s)", out.stdout)
    if sent is None:
        raise RuntimeError(f"could not read wrk's output:\n{out.stdout}")
    took = float(sent[2]) / (1000 if sent[3] == "ms" else 1)
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out.stdout)
    return int(sent[1]), took, int(refused[1]) if refused else 0


def storm_with_wrk(url: str, tmp: Path) -> tuple[int, float, int]:
    """wrk (C) sends the load, so the generator takes little of the 2 cores. wrk runs for
    a duration, so a short run measures the rate and the real one lasts about as long
    as ALERTS take; the counts reported are wrk's own."""
    script = tmp / "storm.lua"
    script.write_text(
        f'headers = {{["Content-Type"]="application/json", '
        f'["Authorization"]="Bearer {TOKEN}"}}\n' + WRK_SCRIPT
    )
    bodies = [body(n).decode() for n in range(FINGERPRINTS)]
    sent, took, _ = _wrk(url, script, 2, bodies)
    return _wrk(url, script, ALERTS / (sent / took), bodies)


async def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="firebell-storm-"))
    (tmp / "firebell.yml").write_text(
        f"webhooks:\n  tokens:\n    alertmanager: {TOKEN}\n  max_body_kb: 64\n"
    )
    procs = []
    try:
        sandbox_cmd = [sys.executable, "-m", "sandbox", "--trigger-ttl", "120", "--no-validate"]
        procs.append(start(["nice", "-n", "15", *sandbox_cmd], {}))
        assert procs[0].stdout is not None
        sandbox = procs[0].stdout.readline().strip().removeprefix("SANDBOX_URL=")
        port = free_port()
        procs.append(
            start(
                [
                    str(Path(sys.executable).with_name("firebell")),
                    "--log-level",
                    "WARNING",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                ],
                {
                    "SLACK_BOT_TOKEN": "xoxb-sandbox-bot-token",
                    "SLACK_SIGNING_SECRET": "s",
                    "SLACK_API_URL": sandbox + "api/",
                    "DATABASE_URL": f"sqlite:///{tmp}/storm.db",
                    "FIREBELL_CONFIG": str(tmp / "firebell.yml"),
                },
            )
        )
        url = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=CONCURRENCY)
        ) as session:
            await wait_healthy(session, url)
            if shutil.which("wrk"):
                generator = "wrk"
                sent, elapsed, failures = await asyncio.to_thread(storm_with_wrk, url, tmp)
            else:
                generator = "the Python aiohttp client (install wrk for a lighter one)"
                elapsed, failures = await storm(session, url)
                sent = ALERTS
            await asyncio.sleep(4)  # let the outbox finish its Slack calls
            summary = await (await session.get(sandbox + "sandbox/summary")).json()
        channels = [name for name in summary["channels"] if name.startswith("inc-")]
        calls = sum(c["ok"] + c["failed"] for c in summary["calls"].values())
        rate = sent / elapsed
        print(
            f"alert storm: {sent:,} alerts over {FINGERPRINTS} fingerprints, "
            f"concurrency {CONCURRENCY}, SQLite; load from {generator}"
        )
        print(
            f"  {rate:,.0f} alerts/s ({elapsed:.1f} s; {failures} not accepted)"
            f" ({'meets' if rate >= TARGET_RATE else 'MISSES'} the target >= {TARGET_RATE})"
        )
        print(f"  issues created: {len(channels)} (must be exactly {FINGERPRINTS})")
        by_method = ", ".join(f"{m} {c['ok']}" for m, c in sorted(summary["calls"].items()))
        print(f"  Slack calls made: {calls} ({by_method})")
        print(f"  most messages to one channel in a second: {summary['busiest_channel_second']}")
        return 0 if len(channels) == FINGERPRINTS and failures == 0 else 1
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
