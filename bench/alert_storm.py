"""Alert storm: 10,000 Alertmanager alerts over 20 fingerprints, concurrency 50.

Against `firebell serve` with the sandbox Slack in its own process (at a low priority
and without Block Kit checks: its CPU stands for Slack's), then against the reference,
bench/bare_alert_app.py (a bare aiohttp handler doing one upsert per alert), hit by the
same wrk script for as long. Prints both alerts/s and their ratio (issue 20's target:
>= 0.5x on SQLite, >= 1.0x on PostgreSQL against a bare handler that commits per
request), issues created (must be exactly 20), Slack calls made, and the most messages
one channel got in a second (must be <= 1).

SQLite by default; BENCH_DATABASE_URL=postgresql+psycopg://... (or --postgres for the
local server) runs both on PostgreSQL, in databases of their own (firebell_bench_storm
and firebell_bench_storm_bare, dropped and created).
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
# Firebell against the bare reference in the same run (issue 20).
TARGET_RATIO = {"SQLite": 0.5, "PostgreSQL": 1.0}
TOKEN = "storm-token-0123456789"
MAX_SECONDS = 20  # a slow build still finishes the bench in a minute


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
    sent = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)\b", out.stdout)
    if sent is None:
        raise RuntimeError(f"could not read wrk's output:\n{out.stdout}")
    took = float(sent[2]) * {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}[sent[3]]
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
    return _wrk(url, script, min(ALERTS / (sent / took), MAX_SECONDS), bodies)


def databases(tmp: Path) -> tuple[str, str, str]:
    """Firebell's URL, the reference's URL, and the engine's name: two SQLite files, or
    (BENCH_DATABASE_URL, or --postgres for the local server) two databases of their own
    on that PostgreSQL server, dropped and created."""
    url = os.environ.get("BENCH_DATABASE_URL") or (
        "postgresql+psycopg://postgres@127.0.0.1:5432/postgres" if "--postgres" in sys.argv else ""
    )
    if not url:
        return f"sqlite:///{tmp}/storm.db", f"sqlite:///{tmp}/bare.db", "SQLite"
    from sqlalchemy import create_engine, make_url, text

    from storage.db import normalise_url

    base = make_url(normalise_url(url))
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in ("firebell_bench_storm", "firebell_bench_storm_bare"):
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return (
        base.set(database="firebell_bench_storm").render_as_string(hide_password=False),
        base.set(database="firebell_bench_storm_bare").render_as_string(hide_password=False),
        "PostgreSQL",
    )


async def reference(session: aiohttp.ClientSession, url: str, tmp: Path, seconds: float) -> float:
    """The bare app (bench/bare_alert_app.py), hit by the same wrk script as long as
    Firebell was: its alerts/s."""
    port = free_port()
    proc = start(
        [sys.executable, str(ROOT / "bench" / "bare_alert_app.py"), str(port), url, TOKEN], {}
    )
    try:
        bare = f"http://127.0.0.1:{port}"
        await wait_healthy(session, bare)
        script = tmp / "storm.lua"
        bodies = [body(n).decode() for n in range(FINGERPRINTS)]
        sent, took, refused = await asyncio.to_thread(_wrk, bare, script, seconds, bodies)
        if refused:
            raise RuntimeError(f"the reference refused {refused} requests")
        return sent / took
    finally:
        proc.terminate()
        proc.wait(timeout=10)


async def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="firebell-storm-"))
    (tmp / "firebell.yml").write_text(
        f"webhooks:\n  tokens:\n    alertmanager: {TOKEN}\n  max_body_kb: 64\n"
    )
    ours_url, bare_url, engine = databases(tmp)
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
                    "DATABASE_URL": ours_url,
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
            firebell = procs.pop()  # the reference gets the machine to itself
            firebell.terminate()
            firebell.wait(timeout=10)
            bare_rate = (
                await reference(session, bare_url, tmp, elapsed) if generator == "wrk" else None
            )
        channels = [name for name in summary["channels"] if name.startswith("inc-")]
        calls = sum(c["ok"] + c["failed"] for c in summary["calls"].values())
        rate = sent / elapsed
        target = TARGET_RATIO[engine]
        print(
            f"alert storm: {sent:,} alerts over {FINGERPRINTS} fingerprints, "
            f"concurrency {CONCURRENCY}, {engine}; load from {generator}"
        )
        print(f"  Firebell: {rate:,.0f} alerts/s ({elapsed:.1f} s; {failures} not accepted)")
        ratio_ok = True
        if bare_rate is not None:
            ratio = rate / bare_rate
            ratio_ok = ratio >= target
            how = "a commit per request" if engine == "PostgreSQL" else "WAL, synchronous=NORMAL"
            verdict = "meets" if ratio_ok else "MISSES"
            print(
                f"  reference (bare aiohttp, one upsert per alert, {how}):"
                f" {bare_rate:,.0f} alerts/s"
            )
            print(f"  ratio {ratio:.2f}x ({verdict} the target >= {target}x)")
        print(f"  issues created: {len(channels)} (must be exactly {FINGERPRINTS})")
        by_method = ", ".join(f"{m} {c['ok']}" for m, c in sorted(summary["calls"].items()))
        print(f"  Slack calls made: {calls} ({by_method})")
        print(
            f"  most messages to one channel in a second: {summary['busiest_channel_second']}"
            " (issue 20: <= 1; not checked here)"
        )
        return 0 if len(channels) == FINGERPRINTS and failures == 0 and ratio_ok else 1
    finally:
        for proc in procs:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
