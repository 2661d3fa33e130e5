"""The web app's pages rendered server-side (issue 21): the board, an issue page and the
insights page at 1k and at 100k issues, and an issue page with a long timeline, p95 over
HTTP against the target <= 150 ms, and each page's bytes in all (HTML + the CSS and JS it
loads from /static/) against <= 300 KB.

Reference, measured in the same run and the same process: the p95 of a bare aiohttp
app's /healthz (one line of text, no database), requested the same way; printed beside
the pages' p95 as a ratio, so a busy machine shows up on both.

Data: bench/scale.py's cached databases (SQLite files under $TMPDIR/firebell-scale/,
PostgreSQL firebell_bench_scale_1k / _100k when the local server answers), built there
when missing. The signed-in person is the fixture's U00001 (a member of one issue in
ten), with a session cookie made with the bench's own session key. The issue page is
the newest issue U00001 can see (its 10 timeline events). The long timeline: a copy of
the 100k database (cached beside it) where that issue has 10,000 more events; its page
shows one page of 50, so its p95 should stay near the 10-event page's.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import create_engine, insert, make_url, select, text  # noqa: E402

from bench import scale  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.demo.harness import sandbox_settings, serve_http  # noqa: E402
from sandbox import Sandbox  # noqa: E402
from sandbox.oidc import CLIENT_ID, CLIENT_SECRET  # noqa: E402
from storage.db import Database, normalise_url  # noqa: E402
from storage.models import Issue, TimelineEvent  # noqa: E402

TARGET_MS = 150.0
TARGET_BYTES = 300 * 1024
REQUESTS, WARMUPS = 60, 5
USER = scale.USER
LONG = 10_000  # timeline events added to one issue for the long-timeline page
ASSET = re.compile(r'(?:src|href)="(/static/[^"]+)"')


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20, method="inclusive")[18]


def newest_visible(url: str) -> str:
    db = Database(url)
    try:
        with db.engine.connect() as conn:
            number = conn.execute(
                text(
                    "SELECT max(number) FROM issues WHERE NOT private OR id IN "
                    "(SELECT issue_id FROM participants WHERE user_id = :u)"
                ),
                {"u": USER},
            ).scalar_one()
    finally:
        db.dispose()
    return f"INC-{number}"


def add_long_timeline(url: str) -> None:
    """LONG events on the newest issue USER can see (in chunks, like the fixture)."""
    key = newest_visible(url)
    db = Database(url)
    try:
        with db.session() as session:
            issue_id, filed = session.execute(
                select(Issue.id, Issue.created_at).where(Issue.number == int(key[4:]))
            ).one()
            for first in range(0, LONG, 5_000):
                rows = [
                    {
                        "issue_id": issue_id,
                        "at": filed + timedelta(seconds=k),
                        "actor_id": USER,
                        "kind": "status_update" if k % 3 else "status_changed",
                        "payload": {"text": f"long step {k}"},
                    }
                    for k in range(first, min(first + 5_000, LONG))
                ]
                session.execute(insert(TimelineEvent), rows)
    finally:
        db.dispose()


def long_sqlite(url: str) -> str:
    """A copy of the 100k file with the long timeline, cached beside it."""
    path = Path(make_url(url).database or "")
    long = path.with_name(path.stem + f"-long{LONG}.db")
    if not long.exists():
        building = long.with_suffix(".building")
        shutil.copyfile(path, building)
        add_long_timeline(f"sqlite:///{building}")
        building.rename(long)
        print(f"web (sqlite): made {long.name}", flush=True)
    return f"sqlite:///{long}"


def long_postgres(url: str, tag: str) -> str:
    """firebell_bench_scale_100k_long, from the 100k database as a template, kept while
    its comment says the same fixture."""
    base = make_url(normalise_url(url))
    name, template = f"{base.database}_long", base.database
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text(
                    "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
                    "WHERE datname = :n"
                ),
                {"n": name},
            ).first()
            target = base.set(database=name).render_as_string(hide_password=False)
            if found is None or found[0] != f"{tag}-long{LONG}":
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                add_long_timeline(target)
                conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{tag}-long{LONG}'"))
                print(f"web (postgresql): made {name}", flush=True)
    finally:
        admin.dispose()
    return target


def session_cookie(key: bytes) -> str:
    """What a sign-in leaves in the browser (aiohttp-session's encrypted cookie)."""
    expires = int(NOW_TS) + 3600  # on the pages' (fixture's) clock
    session = {"user": USER, "name": "Bench", "expires": expires}
    body = {"created": int(time.time()), "session": session}  # aiohttp-session's clock
    return Fernet(key).encrypt(json.dumps(body).encode()).decode()


NOW_TS = scale.NOW.timestamp()


async def timed(
    http: aiohttp.ClientSession, url: str, cookies: dict[str, str] | None = None
) -> tuple[float, int, str]:
    started = time.perf_counter()
    async with http.get(url, cookies=cookies, allow_redirects=False) as resp:
        body = await resp.read()
    took = (time.perf_counter() - started) * 1000
    assert resp.status == 200, f"{url}: {resp.status} {body[:200]!r}"
    return took, len(body), body.decode()


async def bare_app() -> tuple[web.AppRunner, str]:
    async def healthz(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/healthz", healthz)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    return runner, f"http://{host}:{port}"


async def measure(name: str, urls: dict[int, str], long: str) -> bool:
    key = Fernet.generate_key()
    web_on = {
        "slack_client_id": CLIENT_ID,
        "slack_client_secret": CLIENT_SECRET,
        "firebell_session_key": key.decode(),
    }
    cookies = {"firebell_session": session_cookie(key)}
    sandbox = await Sandbox().start()
    bare, bare_url = await bare_app()
    met = True
    try:
        servers = {}
        pages: dict[str, dict[int, str]] = {
            "board": {},
            "issue page": {},
            "insights": {},
            "issue, 10k events": {},
        }
        async with aiohttp.ClientSession() as http:
            biggest = max(urls)
            for size, url in [*urls.items(), (-1, long)]:
                firebell = create_app(
                    sandbox_settings(sandbox, url, **web_on),
                    clock=FakeClock(scale.NOW),
                    migrate=False,
                )
                cm = serve_http(firebell)
                servers[size] = (cm, await cm.__aenter__())
                base = servers[size][1]
                if size < 0:
                    pages["issue, 10k events"][biggest] = f"{base}/issues/{newest_visible(url)}"
                    continue
                pages["board"][size] = base + "/"
                pages["issue page"][size] = f"{base}/issues/{newest_visible(url)}"
                pages["insights"][size] = base + "/insights"
            assets: dict[str, int] = {}  # /static/ path -> bytes (each fetched once)

            async def loaded(body: str) -> int:
                total = 0
                for path in set(ASSET.findall(body)):
                    if path not in assets:
                        assets[path] = (await timed(http, servers[biggest][1] + path))[1]
                    total += assets[path]
                return total

            times: dict[tuple[str, int], list[float]] = {}
            sizes: dict[tuple[str, int], int] = {}
            rows: dict[tuple[str, int], int] = {}
            reference: list[float] = []
            for i in range(WARMUPS + REQUESTS):
                for page, by_size in pages.items():
                    for size, url in by_size.items():
                        took, length, body = await timed(http, url, cookies)
                        assert "Signed in as Bench" in body, body[:300]
                        if i == WARMUPS:
                            sizes[(page, size)] = length + await loaded(body)
                            rows[(page, size)] = body.count("<tr>") + body.count("<li>")
                        if i >= WARMUPS:
                            times.setdefault((page, size), []).append(took)
                took = (await timed(http, bare_url + "/healthz"))[0]
                if i >= WARMUPS:
                    reference.append(took)
            ref = p95(reference)
            print(f"web ({name}): reference: bare aiohttp /healthz p95 {ref:6.2f} ms (same run)")
            for page, by_size in pages.items():
                for size in by_size:
                    figure = p95(times[(page, size)])
                    total = sizes[(page, size)]
                    ok = figure <= TARGET_MS and total <= TARGET_BYTES
                    met = met and ok
                    print(
                        f"web ({name}): {page:<10} {size // 1000:>4}k issues  p95 "
                        f"{figure:7.1f} ms (target <= {TARGET_MS:.0f}; {figure / ref:6.1f}x "
                        f"the reference)  {total / 1024:6.1f} KB HTML+CSS+JS (target <= "
                        f"{TARGET_BYTES // 1024}; {rows[(page, size)]} rows/events): "
                        f"{'met' if ok else 'MISSED'}",
                        flush=True,
                    )
            for cm, _url in servers.values():
                await cm.__aexit__(None, None, None)
    finally:
        await bare.cleanup()
        await sandbox.stop()
    return met


def main() -> int:
    tag = f"{scale.FIXTURE_VERSION}-{scale.head()}"
    lite = scale.sqlite_databases(tag)
    met = asyncio.run(measure("sqlite", lite, long_sqlite(lite[max(lite)])))
    local = os.environ.get("BENCH_DATABASE_URL") or scale.LOCAL_POSTGRES
    pg = scale.postgres_databases(local, tag)
    if pg is not None:
        met = asyncio.run(measure("postgresql", pg, long_postgres(pg[max(pg)], tag))) and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
