"""Upgrade day: the first `firebell serve` on a database an older release left.

The database: 100k issues and 1M timeline events and no search documents (a release
before search filed them; the migrations are at head, as `firebell migrate` leaves
them, since migration 0009 creates the index empty). Built once with bulk Core
inserts and cached in /tmp; each run works on a copy.

Prints: time from spawn to /healthz 200; time to /readyz 200 (the search backfill
done; target <= 60 s); /healthz and a signed `/incident help` answered during the
backfill; the backfill's progress lines; RSS (VmRSS) after the backfill and
after a few `/incident list` and `/incident stats`, beside a bare aiohttp process's
RSS measured in the same run (target <= 150 MB); then, on a fresh copy, SIGTERM at
30 % built, the exit time, the next start's time to ready and that every issue has
one document. Every wait has a timeout and every process started here is killed in
`finally`.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.start import BARE, free_port  # noqa: E402
from sandbox.signing import sign  # noqa: E402

ISSUES = int(os.environ.get("BENCH_ISSUES", "100000"))
EVENTS_PER_ISSUE = 10
CHUNK = 5_000
TARGET_READY = 60.0
TARGET_RSS_MB = 150.0
WAIT_UP = 60.0  # seconds for /healthz
WAIT_READY = 600.0  # seconds for /readyz 200 (a miss is printed, not waited forever)
SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-sandbox-bot-token"

# Kinds and texts a timeline holds; status updates and pinned messages are searched.
KINDS = [
    ("filed", {}),
    ("acknowledged", {}),
    ("status_changed", {"before": "new", "after": "investigating"}),
    ("status_update", {"text": "Rolled back the {service} deploy; error rate falling"}),
    ("role_set", {"user_id": "U0000001", "role": "commander"}),
    ("pinned_message", {"text": "Dashboard for {service}: p99 latency 4 s since 10:02"}),
    ("status_changed", {"before": "investigating", "after": "fixed"}),
    ("status_update", {"text": "Fixed: connection pool of {service} raised to 50"}),
    ("deployed", {}),
    ("status_changed", {"before": "fixed", "after": "closed"}),
]
SERVICES = ["checkout", "search", "payments", "login", "export", "billing", "mail"]


def cached_database() -> Path:
    """A migrated SQLite file with ISSUES issues and 10x events, no search documents."""
    from storage.migrate import head_revision

    path = Path(tempfile.gettempdir()) / f"firebell-upgrade-{ISSUES}-{head_revision()}.db"
    if path.exists():
        return path
    print(f"building {path} ({ISSUES:,} issues, {ISSUES * EVENTS_PER_ISSUE:,} events)...")
    began = time.perf_counter()
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    from sqlalchemy import insert, text

    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import Issue, TimelineEvent

    db = Database(f"sqlite:///{building}")
    upgrade(db)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    for first in range(1, ISSUES + 1, CHUNK):
        numbers = range(first, min(first + CHUNK, ISSUES + 1))
        with db.engine.begin() as conn:
            conn.execute(
                insert(Issue),
                [
                    {
                        "id": n,
                        "number": n,
                        "idempotency_key": f"upgrade-{n}",
                        "title": f"{SERVICES[n % 7].title()} errors after deploy {n}",
                        "type": "outage" if n % 3 else "bug",
                        "severity": ["trivial", "minor", "major", "critical"][n % 4],
                        "service": SERVICES[n % 7],
                        "description": f"Customers see 500s on {SERVICES[n % 7]} ({n})",
                        "private": False,
                        "reporter_id": "U0000002",
                        "status": "closed" if n < ISSUES - 200 else "investigating",
                        "phase": "closed" if n < ISSUES - 200 else "response",
                        "created_at": start + timedelta(minutes=5 * n),
                        "reporter_updates": True,
                        "occurrences": 1,
                    }
                    for n in numbers
                ],
            )
            conn.execute(
                insert(TimelineEvent),
                [
                    {
                        "issue_id": n,
                        "at": start + timedelta(minutes=5 * n, seconds=30 * k),
                        "actor_id": "U0000001",
                        "kind": kind,
                        "payload": {
                            key: value.format(service=SERVICES[n % 7])
                            for key, value in payload.items()
                        },
                    }
                    for n in numbers
                    for k, (kind, payload) in enumerate(KINDS)
                ],
            )
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM issue_search")).scalar() == 0
    db.dispose()
    building.rename(path)
    print(f"  built in {time.perf_counter() - began:.0f} s")
    return path


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


async def wait_for(
    session: aiohttp.ClientSession, url: str, path: str, timeout: float
) -> float | None:
    """Seconds until `path` answers 200, polled; None when the timeout passed first."""
    began = time.perf_counter()
    while time.perf_counter() - began < timeout:
        try:
            async with session.get(url + path, timeout=aiohttp.ClientTimeout(total=5)) as resp:
                if resp.status == 200:
                    return time.perf_counter() - began
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.02)
    return None


async def command(
    session: aiohttp.ClientSession, url: str, sandbox: str, user: str, text: str
) -> tuple[int, float, str]:
    body = urlencode(
        {
            "command": "/incident",
            "text": text,
            "user_id": user,
            "user_name": "dana",
            "channel_id": "C0000004",
            "channel_name": "support",
            "team_id": "T0SANDBOX",
            "team_domain": "firebell-sandbox",
            "response_url": sandbox + "response/" + user,
            "api_app_id": "A0SANDBOX",
        }
    )
    async with session.post(sandbox + "sandbox/triggers", json={"user": user}) as resp:
        trigger = (await resp.json())["trigger_ids"][0]
    body += "&" + urlencode({"trigger_id": trigger})
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
    began = time.perf_counter()
    async with session.post(
        url + "/slack/events", data=body, headers=headers, timeout=aiohttp.ClientTimeout(total=30)
    ) as resp:
        answer = await resp.text()
        if resp.status != 200:
            answer = f"{resp.status}: {answer[:200]}"
            print(f"  `/incident {text}` answered {answer}")
        return resp.status, time.perf_counter() - began, answer


async def probe_during(
    session: aiohttp.ClientSession, url: str, sandbox: str, user: str
) -> dict[str, Any]:
    """One /healthz and one signed `/incident help` while /readyz still says 503."""
    async with session.get(url + "/readyz", timeout=aiohttp.ClientTimeout(total=10)) as resp:
        ready = await resp.json()
    began = time.perf_counter()
    async with session.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=10)) as resp:
        health = (resp.status, time.perf_counter() - began)
    status, took, answer = await command(session, url, sandbox, user, "help")
    return {"readyz": ready, "healthz": health, "help": (status, took, "/incident" in answer)}


async def measure(
    url: str, bare_url: str, pids: tuple[int, int], sandbox: str, began: float
) -> None:
    pid, bare_pid = pids
    async with aiohttp.ClientSession() as session:
        if await wait_for(session, url, "/healthz", WAIT_UP) is None:
            raise RuntimeError(f"no /healthz within {WAIT_UP:.0f} s")
        print(f"  spawn to /healthz 200: {time.perf_counter() - began:.2f} s")
        summary = await (await session.get(sandbox + "sandbox/summary")).json()
        user = summary["users"]["dana"]
        during: list[dict[str, Any]] = []
        ready_at = None
        while time.perf_counter() - began < WAIT_READY:
            async with session.get(url + "/readyz") as resp:
                if resp.status == 200:
                    ready_at = time.perf_counter() - began
                    break
            if len(during) < 5:
                during.append(await probe_during(session, url, sandbox, user))
            await asyncio.sleep(0.2 if len(during) < 5 else 0.5)
        if ready_at is None:
            print(f"  /readyz still 503 after {WAIT_READY:.0f} s (MISSES <= {TARGET_READY} s)")
        else:
            verdict = "meets" if ready_at <= TARGET_READY else "MISSES"
            print(
                f"  spawn to /readyz 200: {ready_at:.1f} s "
                f"({verdict} the target <= {TARGET_READY:.0f} s)"
            )
        for probe in during:
            health, help_ = probe["healthz"], probe["help"]
            print(
                f"  during the backfill: /readyz {probe['readyz'].get('error', 'ok')!r}; "
                f"/healthz {health[0]} in {health[1] * 1000:.0f} ms; "
                f"`/incident help` {help_[0]} in {help_[1] * 1000:.0f} ms"
                f"{' (the help text)' if help_[2] else ' (NOT the help text)'}"
            )
        after_backfill = rss_mb(pid)
        for text in ("list all", "list", "stats", "list all", "stats"):
            status, took, _ = await command(session, url, sandbox, user, text)
            print(f"  `/incident {text}`: {status} in {took * 1000:.0f} ms")
        await asyncio.sleep(1.0)  # work after the acks
        after_reads = rss_mb(pid)
        if await wait_for(session, bare_url, "/healthz", 30) is None:
            raise RuntimeError("the bare aiohttp app did not come up")
        bare = rss_mb(bare_pid)
        worst = max(after_backfill, after_reads)
        verdict = "meets" if worst <= TARGET_RSS_MB else "MISSES"
        print(
            f"  RSS firebell {after_backfill:.0f} MB after the backfill, "
            f"{after_reads:.0f} MB after list/stats; bare aiohttp {bare:.0f} MB; "
            f"ratio {worst / bare:.1f} ({verdict} the target <= {TARGET_RSS_MB:.0f} MB)"
        )


async def wait_percent(url: str, percent: int, timeout: float) -> str | None:
    """/readyz's reason once the index is at least `percent` built; None at timeout."""
    began = time.perf_counter()
    async with aiohttp.ClientSession() as session:
        while time.perf_counter() - began < timeout:
            try:
                async with session.get(url + "/readyz") as resp:
                    reason = str((await resp.json()).get("error", ""))
                    if resp.status == 200:
                        return reason
                    found = reason.split("search index ", 1)[-1].split("%", 1)[0]
                    if found.isdigit() and int(found) >= percent:
                        return reason
            except (aiohttp.ClientError, TimeoutError):
                pass
            await asyncio.sleep(0.1)
    return None


def restart_midway(source: Path, work: Path, env: dict[str, str]) -> None:
    """SIGTERM while the index is built, then start again: exit time, time to ready,
    and every issue indexed once."""
    import sqlite3

    copy = work / "restart.db"
    shutil.copyfile(source, copy)
    firebell = str(Path(sys.executable).with_name("firebell"))
    env = {**os.environ, **env, "DATABASE_URL": f"sqlite:///{copy}"}
    for attempt in ("first", "second"):
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        began = time.perf_counter()
        proc = subprocess.Popen(
            [
                firebell,
                "--log-level",
                "WARNING",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                f"{port}",
            ],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            reason = asyncio.run(wait_percent(url, 30 if attempt == "first" else 101, WAIT_READY))
            if attempt == "first":
                stopping = time.perf_counter()
                proc.send_signal(signal.SIGTERM)
                code = proc.wait(timeout=30)
                print(
                    f"  restart midway: at {reason!r} SIGTERM; exit {code} in "
                    f"{time.perf_counter() - stopping:.2f} s"
                )
            else:
                print(
                    f"  restart midway: the next start ready in "
                    f"{time.perf_counter() - began:.1f} s"
                    + ("" if reason is not None else " (NOT ready: timed out)")
                )
        finally:
            stop(proc)
    with sqlite3.connect(copy) as conn:
        issues = conn.execute("SELECT count(*) FROM issues").fetchone()[0]
        docs, distinct = conn.execute(
            "SELECT count(*), count(DISTINCT rowid) FROM issue_search"
        ).fetchone()
    verdict = "each once" if issues == docs == distinct else "NOT each once"
    print(f"  restart midway: {docs:,} documents for {issues:,} issues ({verdict})")


def stop(proc: subprocess.Popen[Any]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def main() -> int:
    source = cached_database()
    work = Path(tempfile.mkdtemp(prefix="firebell-upgrade-"))
    procs: list[subprocess.Popen[Any]] = []
    try:
        copy = work / "firebell.db"
        shutil.copyfile(source, copy)
        sandbox_proc = subprocess.Popen(
            ["nice", "-n", "15", sys.executable, "-m", "sandbox", "--no-validate"],
            cwd=ROOT,
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        procs.append(sandbox_proc)
        assert sandbox_proc.stdout is not None
        sandbox = sandbox_proc.stdout.readline().strip().removeprefix("SANDBOX_URL=")
        if not sandbox.startswith("http"):
            raise RuntimeError("the sandbox did not start")
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": sandbox + "api/",
            "DATABASE_URL": f"sqlite:///{copy}",
        }
        print(
            f"upgrade day: {ISSUES:,} issues, {ISSUES * EVENTS_PER_ISSUE:,} timeline events, "
            "no search documents; `firebell serve` on SQLite"
        )
        port, bare_port = free_port(), free_port()
        firebell = str(Path(sys.executable).with_name("firebell"))
        log = work / "firebell.log"
        with log.open("wb") as out:
            began = time.perf_counter()
            procs.append(
                subprocess.Popen(
                    [firebell, "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env={**os.environ, **env},
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=out,
                )
            )
        procs.append(
            subprocess.Popen(
                [sys.executable, "-c", BARE, str(bare_port)],
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
        urls = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{bare_port}"
        asyncio.run(measure(*urls, (procs[1].pid, procs[2].pid), sandbox, began))
        lines = [line for line in log.read_text().splitlines() if "search" in line]
        print("  firebell's search lines:")
        for line in lines if len(lines) <= 6 else [*lines[:3], "  ...", *lines[-3:]]:
            print("    " + line[-150:])
        for proc in reversed(procs[1:]):
            stop(proc)
        del procs[1:]
        restart_midway(source, work, env)
        return 0
    finally:
        for proc in reversed(procs):
            stop(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
