"""No stall (issue 20, target 1): the loop keeps answering while each load runs.

`firebell serve` on SQLite (a database of 100k issues and 1M timeline events, built
once and cached under /tmp) with the sandbox Slack in its own process, at a low
priority. This process probes it the whole time, open-loop (a probe is sent on its
schedule whether or not the last one came back, so a stall is counted in every probe
it held): GET /healthz every 20 ms, and a signed `/incident help` every 100 ms. A
child process sends each load in turn:

- webhook: one Alertmanager webhook of 2,000 alerts with distinct fingerprints;
- storm: 10,000 alerts over 20 fingerprints at concurrency 50 (exactly, by aiohttp);
- stats: GET /api/v1/stats for 90 days over the 100k issues, back to back;
- sweep: 1,000 issues' SLA clocks made overdue, then the scheduler's ticks (every 1 s).

A load's after-effects run on into the next window (2,000 new issues are 2,000
channels and cards for the outbox to post); before the next load the bench waits
until /healthz answers within its target again, at most 30 s. For each window, and
for a quiet one first (the reference, no load), it prints the worst event-loop lag
(Firebell's own `firebell_event_loop_lag_seconds` histogram, scraped before and
after: the bucket of the worst 10 ms timer), the /healthz p99 and the ack p99,
against the targets: no stall over 50 ms, /healthz p99 <= 50 ms, ack p99 <= 300 ms.
Exit status 0 when the bench ran, whatever the verdicts; an error when it could not.

Knobs: BENCH_WEBHOOK_ALERTS (2000), BENCH_STORM_ALERTS (10000), BENCH_STATS_ISSUES
(100000; the cache is per size), BENCH_STATS_SECONDS (3), BENCH_SWEEP_DUE (1000),
BENCH_QUIET_SECONDS (3), BENCH_PHASE_TIMEOUT (90 s, each load's limit).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.ack_latency import free_port, start  # noqa: E402
from sandbox.signing import sign  # noqa: E402

WEBHOOK_ALERTS = int(os.environ.get("BENCH_WEBHOOK_ALERTS", "2000"))
STORM_ALERTS = int(os.environ.get("BENCH_STORM_ALERTS", "10000"))
STATS_ISSUES = int(os.environ.get("BENCH_STATS_ISSUES", "100000"))
STATS_SECONDS = float(os.environ.get("BENCH_STATS_SECONDS", "3"))
SWEEP_DUE = int(os.environ.get("BENCH_SWEEP_DUE", "1000"))
QUIET_SECONDS = float(os.environ.get("BENCH_QUIET_SECONDS", "3"))
PHASE_TIMEOUT = float(os.environ.get("BENCH_PHASE_TIMEOUT", "90"))

HEALTHZ_EVERY, ACK_EVERY = 0.020, 0.100
PROBE_TIMEOUT = 30.0  # a probe not answered by then counts as taking this long
TARGET_LAG, TARGET_HEALTHZ_P99, TARGET_ACK_P99 = 0.050, 0.050, 0.300
SECRET = "bench-signing-secret"
WEBHOOK_TOKEN = "storm-token-0123456789"  # the token alert_storm.py configures
API_TOKEN = "bench-api-token-0123456789"
CACHE = Path(tempfile.gettempdir()) / "firebell-no-stall-cache"
LAG_METRIC = "firebell_event_loop_lag_seconds_bucket"
SLA_JOB_COUNT = 'firebell_scheduler_job_seconds_count{job="sla and escalation"}'


# -- the database ---------------------------------------------------------------------


def cached_database() -> Path:
    """A SQLite file with STATS_ISSUES issues (bench/insights.py's fixture, search
    documents built) and SWEEP_DUE open issues whose SLA clocks fall due only when the
    sweep phase moves them; built once per size and migration set."""
    migrations = sorted(p.name for p in (ROOT / "storage/alembic/versions").glob("*.py"))
    key = hashlib.sha256(json.dumps([STATS_ISSUES, SWEEP_DUE, migrations]).encode()).hexdigest()[
        :12
    ]
    path = CACHE / f"no-stall-{STATS_ISSUES}-{key}.db"
    if path.exists():
        return path
    from sqlalchemy import insert

    from bench.fixtures import seed as seed_sweep
    from bench.insights import seed as seed_history
    from bot.core.clock import FakeClock
    from bot.triage.search import SearchIndex
    from storage.db import Database
    from storage.migrate import upgrade
    from storage.models import KeyCounter

    CACHE.mkdir(exist_ok=True)
    building = path.with_suffix(".building")
    building.unlink(missing_ok=True)
    started = time.perf_counter()
    print(f"  building the {STATS_ISSUES:,}-issue database once (cached in {CACHE})", flush=True)
    db = Database(f"sqlite:///{building}")
    upgrade(db)
    seed_history(db, 1, STATS_ISSUES)
    # Open, critical, with clocks 20 years away: the sweep phase moves them to overdue.
    seed_sweep(db, FakeClock(datetime.now(UTC) + timedelta(days=7300)), SWEEP_DUE, due=False)
    SearchIndex(db).reindex_missing(batch=2000)  # or the backfill would run during the bench
    with db.session() as session:  # new issues are numbered after the seeded ones
        session.execute(insert(KeyCounter).values(name="issue", value=STATS_ISSUES + SWEEP_DUE))
    db.dispose()
    building.rename(path)
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def make_clocks_overdue(url: str) -> int:
    """The sweep's issues (numbered after the history) become an hour overdue."""
    from sqlalchemy import update
    from sqlmodel import col, select

    from storage.db import Database
    from storage.models import Issue, SlaClock

    now = datetime.now(UTC)
    filed = now - timedelta(hours=1)
    db = Database(url)
    try:
        with db.session() as session:
            ids = session.exec(
                select(Issue.id).where(
                    col(Issue.number) > STATS_ISSUES,
                    col(Issue.number) <= STATS_ISSUES + SWEEP_DUE,
                )
            ).all()
            session.execute(update(Issue).where(col(Issue.id).in_(ids)).values(created_at=filed))
            session.execute(
                update(SlaClock)
                .where(col(SlaClock.issue_id).in_(ids))
                .values(
                    started_at=filed,
                    warn_at=filed + timedelta(minutes=11),
                    escalate_at=filed + timedelta(minutes=13),
                    due_at=filed + timedelta(minutes=15),
                    next_check_at=filed + timedelta(minutes=11),
                )
            )
            return len(ids)
    finally:
        db.dispose()


# -- the loads (each in a child process, so this one's loop only probes) ----------------


def alert(fingerprint: str, n: int) -> dict[str, object]:
    return {
        "status": "firing",
        "labels": {"alertname": f"NoStall{n}", "severity": "critical", "service": "stall-api"},
        "annotations": {"summary": f"No-stall alert {n}"},
        "startsAt": "2026-01-05T09:00:00Z",
        "endsAt": "0001-01-01T00:00:00Z",
        "fingerprint": fingerprint,
    }


def webhook_body(alerts: list[dict[str, object]]) -> bytes:
    return json.dumps(
        {
            "version": "4",
            "status": "firing",
            "receiver": "firebell",
            "groupLabels": {},
            "commonLabels": {},
            "commonAnnotations": {},
            "externalURL": "http://alertmanager:9093",
            "alerts": alerts,
        }
    ).encode()


async def load_webhook(url: str) -> str:
    body = webhook_body([alert(f"nostall{n:05d}", n) for n in range(WEBHOOK_ALERTS)])
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {WEBHOOK_TOKEN}"}
    timeout = aiohttp.ClientTimeout(total=PHASE_TIMEOUT)
    async with (
        aiohttp.ClientSession(timeout=timeout) as http,
        http.post(url + "/webhooks/alertmanager", data=body, headers=headers) as resp,
    ):
        await resp.read()
        return f"{WEBHOOK_ALERTS:,} alerts in one webhook ({len(body) // 1024} KB): {resp.status}"


async def load_storm(url: str) -> str:
    # alert_storm's aiohttp sender, not its wrk one: wrk runs for a duration it sizes
    # from a 2 s trial, which a stalled server answers with nothing; this sends exactly
    # the storm's count.
    os.environ["BENCH_ALERTS"] = str(STORM_ALERTS)  # read by alert_storm at import
    from bench import alert_storm

    limit = aiohttp.TCPConnector(limit=alert_storm.CONCURRENCY)
    async with aiohttp.ClientSession(connector=limit) as http:
        took, failures = await alert_storm.storm(http, url)
    return f"{STORM_ALERTS:,} alerts by aiohttp in {took:.1f} s, {failures} not 202"


async def load_stats(url: str) -> str:
    until = datetime.now(UTC).date()
    query = urlencode({"since": (until - timedelta(days=89)).isoformat(), "until": until})
    headers = {"Authorization": f"Bearer {API_TOKEN}"}
    times: list[float] = []
    deadline = time.monotonic() + STATS_SECONDS
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=PHASE_TIMEOUT)) as http:
        while time.monotonic() < deadline or not times:
            started = time.perf_counter()
            async with http.get(f"{url}/api/v1/stats?{query}", headers=headers) as resp:
                await resp.read()
                if resp.status != 200:
                    raise RuntimeError(f"/api/v1/stats answered {resp.status}")
            times.append(time.perf_counter() - started)
    times.sort()
    return f"{len(times)} stats queries, median {times[len(times) // 2] * 1000:.0f} ms"


def run_load(argv: list[str]) -> int:
    kind, url = argv
    loads = {
        "webhook": lambda: load_webhook(url),
        "storm": lambda: load_storm(url),
        "stats": lambda: load_stats(url),
    }
    print(asyncio.run(loads[kind]()), flush=True)
    return 0


# -- probing --------------------------------------------------------------------------


@dataclass
class Samples:
    """(sent at, seconds taken) for each probe; a failure counts as PROBE_TIMEOUT."""

    taken: list[tuple[float, float]] = field(default_factory=list)
    failed: int = 0

    def p99(self, since: float, until: float) -> tuple[float, int]:
        window = sorted(t for sent, t in self.taken if since <= sent < until)
        if not window:
            return float("nan"), 0
        return window[min(len(window) - 1, int(len(window) * 0.99))], len(window)


class Probes:
    def __init__(self, http: aiohttp.ClientSession, url: str, slash: dict[str, str]) -> None:
        self.http, self.url, self.slash = http, url, slash
        self.healthz, self.ack = Samples(), Samples()
        self.pending: set[asyncio.Task[None]] = set()
        self.running = True

    async def _one(self, samples: Samples, send: Callable[[], Awaitable[int]]) -> None:
        sent = time.perf_counter()
        try:
            async with asyncio.timeout(PROBE_TIMEOUT):
                status = await send()
            ok = status == 200
        except (TimeoutError, aiohttp.ClientError):
            ok = False
        took = time.perf_counter() - sent if ok else PROBE_TIMEOUT
        samples.failed += not ok
        samples.taken.append((sent, took))

    async def _get_healthz(self) -> int:
        async with self.http.get(self.url + "/healthz") as resp:
            await resp.read()
            return resp.status

    async def _post_help(self) -> int:
        body = urlencode(self.slash)
        headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SECRET, body)}
        async with self.http.post(self.url + "/slack/events", data=body, headers=headers) as r:
            await r.read()
            return r.status

    async def _every(
        self, seconds: float, samples: Samples, send: Callable[[], Awaitable[int]]
    ) -> None:
        next_at = time.perf_counter()
        while self.running:
            task = asyncio.create_task(self._one(samples, send))
            self.pending.add(task)
            task.add_done_callback(self.pending.discard)
            next_at += seconds
            await asyncio.sleep(max(0.0, next_at - time.perf_counter()))

    async def run(self) -> None:
        await asyncio.gather(
            self._every(HEALTHZ_EVERY, self.healthz, self._get_healthz),
            self._every(ACK_EVERY, self.ack, self._post_help),
        )

    async def stop(self) -> None:
        self.running = False
        if self.pending:
            await asyncio.wait(self.pending, timeout=PROBE_TIMEOUT + 1)


async def scrape(http: aiohttp.ClientSession, url: str) -> dict[str, float]:
    """The loop-lag buckets and the SLA job's tick count from /metrics."""
    async with http.get(url + "/metrics", timeout=aiohttp.ClientTimeout(total=60)) as resp:
        text = await resp.text()
    found: dict[str, float] = {}
    for line in text.splitlines():
        if line.startswith(LAG_METRIC + "{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            found[le] = float(line.rsplit(" ", 1)[1])
        elif line.startswith(SLA_JOB_COUNT):
            found["sla_ticks"] = float(line.rsplit(" ", 1)[1])
    return found


def worst_lag(before: dict[str, float], after: dict[str, float]) -> tuple[str, int]:
    """The bucket holding the worst lag seen between two scrapes ('<= 0.01', '> 10'),
    and how many 10 ms timers woke more than TARGET_LAG late."""
    bounds = sorted((float(le), le) for le in after if le not in ("+Inf", "sla_ticks"))
    total = after.get("+Inf", 0) - before.get("+Inf", 0)
    over = total - (after.get(str(TARGET_LAG), 0) - before.get(str(TARGET_LAG), 0))
    for bound, le in bounds:
        if after[le] - before.get(le, 0) >= total:
            return f"<= {bound:g} s", int(over)
    return f"> {bounds[-1][0]:g} s" if bounds else "?", int(over)


# -- the run --------------------------------------------------------------------------


@dataclass
class Window:
    name: str
    started: float
    ended: float
    lag: tuple[str, int]
    note: str


async def wait_ready(http: aiohttp.ClientSession, url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            async with http.get(url + "/readyz", timeout=aiohttp.ClientTimeout(total=5)) as r:
                if r.status == 200:
                    return
        except (aiohttp.ClientError, TimeoutError):
            pass
        await asyncio.sleep(0.2)
    raise RuntimeError(f"{url}/readyz was not 200 within {seconds:.0f} s")


async def child_load(kind: str, url: str, children: list[asyncio.subprocess.Process]) -> str:
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        __file__,
        "--load",
        kind,
        url,
        cwd=ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    children.append(proc)
    try:
        out, err = await asyncio.wait_for(proc.communicate(), PHASE_TIMEOUT)
    except TimeoutError:
        proc.kill()
        await proc.wait()
        return f"gave up after {PHASE_TIMEOUT:.0f} s"
    if proc.returncode != 0:
        return f"the load failed: {err.decode().strip().splitlines()[-1:] or proc.returncode}"
    return out.decode().strip()


async def settle(http: aiohttp.ClientSession, url: str) -> None:
    """Before the next load: the last one's queued work done (a /healthz answered within
    the target, three times running), or 30 s passed; then a second for the outbox."""
    deadline, quick = time.monotonic() + 30, 0
    while quick < 3 and time.monotonic() < deadline:
        started = time.perf_counter()
        try:
            async with http.get(url + "/healthz", timeout=aiohttp.ClientTimeout(total=30)) as r:
                await r.read()
            quick = quick + 1 if time.perf_counter() - started <= TARGET_HEALTHZ_P99 else 0
        except (aiohttp.ClientError, TimeoutError):
            quick = 0
        await asyncio.sleep(0.1)
    await asyncio.sleep(1)


async def sweep(http: aiohttp.ClientSession, url: str, database: str) -> str:
    before = (await scrape(http, url)).get("sla_ticks", 0)
    moved = await asyncio.to_thread(make_clocks_overdue, database)
    # Two ticks counted after the move: at least one began after it and finished.
    deadline = time.monotonic() + PHASE_TIMEOUT
    ticks = before
    while ticks < before + 2 and time.monotonic() < deadline:
        await asyncio.sleep(0.25)
        ticks = (await scrape(http, url)).get("sla_ticks", 0)
    await asyncio.sleep(2)  # the outbox's deliveries of what the sweep decided
    if ticks < before + 2:
        return f"{moved} clocks overdue; the scheduler did not tick twice in {PHASE_TIMEOUT:.0f} s"
    return f"{moved} clocks made overdue, swept in the next tick"


async def measure(url: str, sandbox: str, database: str) -> list[Window]:
    children: list[asyncio.subprocess.Process] = []
    timeout = aiohttp.ClientTimeout(total=PROBE_TIMEOUT + 5)
    async with aiohttp.ClientSession(
        timeout=timeout, connector=aiohttp.TCPConnector(limit=0)
    ) as http:
        await wait_ready(http, url, 120)
        async with http.get(sandbox + "sandbox/summary") as resp:
            users = (await resp.json())["users"]
        slash = {
            "command": "/incident",
            "text": "help",
            "user_id": users["dana"],
            "user_name": "dana",
            "channel_id": "C0000004",
            "channel_name": "support",
            "team_id": "T0SANDBOX",
            "team_domain": "firebell-sandbox",
            "trigger_id": "1.2.bench",
            "response_url": sandbox + "response/" + users["dana"],
            "api_app_id": "A0SANDBOX",
        }
        probes = Probes(http, url, slash)
        probing = asyncio.create_task(probes.run())
        windows: list[Window] = []
        try:
            await asyncio.sleep(1)  # the probes' own first connections

            async def window(name: str, load: Awaitable[str]) -> None:
                before = await scrape(http, url)
                started = time.perf_counter()
                note = await load
                ended = time.perf_counter()
                after = await scrape(http, url)
                windows.append(Window(name, started, ended, worst_lag(before, after), note))
                print(f"  ran {name}: {note}", flush=True)

            await window("quiet (reference)", asyncio.sleep(QUIET_SECONDS, "no load"))
            for kind in ("webhook", "storm", "stats"):
                await window(kind, child_load(kind, url, children))
                await settle(http, url)
            await window("sweep", sweep(http, url, database))
        finally:
            await probes.stop()
            probing.cancel()
            for child in children:
                if child.returncode is None:
                    child.kill()
                    await child.wait()
        for samples, name in ((probes.healthz, "/healthz"), (probes.ack, "ack")):
            if samples.failed:
                print(f"  {name}: {samples.failed} probes failed or timed out ({PROBE_TIMEOUT} s)")
        report(windows, probes)
    return windows


def report(windows: list[Window], probes: Probes) -> None:
    ref_h, _ = probes.healthz.p99(windows[0].started, windows[0].ended)
    ref_a, _ = probes.ack.p99(windows[0].started, windows[0].ended)
    print(
        f"  {'window':18s} {'worst loop lag':>15s} {'>50ms':>6s} "
        f"{'/healthz p99':>13s} {'ack p99':>10s}   verdict"
    )
    for w in windows:
        h, nh = probes.healthz.p99(w.started, w.ended)
        a, na = probes.ack.p99(w.started, w.ended)
        lag, over = w.lag
        misses = [
            what
            for what, missed in (
                ("stall", over > 0),
                ("/healthz", not h <= TARGET_HEALTHZ_P99),
                ("ack", not a <= TARGET_ACK_P99),
            )
            if missed
        ]
        ratio = f" ({h / ref_h:.1f}x, {a / ref_a:.1f}x ref)" if w is not windows[0] else ""
        print(
            f"  {w.name:18s} {lag:>15s} {over:6d} {h * 1000:10.1f} ms {a * 1000:7.1f} ms"
            f"   {'meets' if not misses else 'MISSES ' + ', '.join(misses)}{ratio}"
            f"   [{w.ended - w.started:.1f} s, {nh} + {na} probes]"
        )
    print(
        f"  targets: no loop stall over {TARGET_LAG * 1000:.0f} ms, /healthz p99 <= "
        f"{TARGET_HEALTHZ_P99 * 1000:.0f} ms, ack p99 <= {TARGET_ACK_P99 * 1000:.0f} ms"
    )


async def main() -> int:
    database_file = cached_database()
    tmp = Path(tempfile.mkdtemp(prefix="firebell-no-stall-"))
    shutil.copy(database_file, tmp / "bench.db")
    database = f"sqlite:///{tmp}/bench.db"
    (tmp / "firebell.yml").write_text(
        f"webhooks:\n  tokens:\n    alertmanager: {WEBHOOK_TOKEN}\n  max_body_kb: 4096\n"
        f"api:\n  tokens:\n    bench:\n      token: {API_TOKEN}\n      private: true\n"
        "tick_seconds: 1\n"
    )
    procs: list[subprocess.Popen[str]] = []
    try:
        sandbox_cmd = [sys.executable, "-m", "sandbox", "--trigger-ttl", "120", "--no-validate"]
        procs.append(start(["nice", "-n", "15", *sandbox_cmd], {}))
        assert procs[0].stdout is not None
        sandbox = procs[0].stdout.readline().strip().removeprefix("SANDBOX_URL=")
        port = free_port()
        firebell = [str(Path(sys.executable).with_name("firebell")), "--log-level", "WARNING"]
        firebell += ["serve", "--host", "127.0.0.1", "--port", str(port)]
        env = {
            "SLACK_BOT_TOKEN": "xoxb-sandbox-bot-token",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": sandbox + "api/",
            "DATABASE_URL": database,
            "FIREBELL_CONFIG": str(tmp / "firebell.yml"),
        }
        procs.append(start(firebell, env))
        print(
            f"no stall: firebell serve on SQLite with {STATS_ISSUES:,} issues; probes: "
            f"/healthz every {HEALTHZ_EVERY * 1000:.0f} ms, signed `/incident help` every "
            f"{ACK_EVERY * 1000:.0f} ms, open-loop",
            flush=True,
        )
        await measure(f"http://127.0.0.1:{port}", sandbox, database)
        return 0
    finally:
        for proc in procs:
            proc.send_signal(signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--load"]:
        sys.exit(run_load(sys.argv[2:]))
    sys.exit(asyncio.run(main()))
