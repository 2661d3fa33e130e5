"""The web app's pages rendered server-side (issue 21): the board and an issue page at
1k and at 100k issues, p95 over HTTP against the target <= 150 ms, and each page's
bytes in all (HTML + CSS; the pages carry no JavaScript) against <= 300 KB.

Reference, measured in the same run and the same process: the p95 of a bare aiohttp
app's /healthz (one line of text, no database), requested the same way; printed beside
the pages' p95 as a ratio, so a busy machine shows up on both.

Data: bench/scale.py's cached databases (SQLite files under $TMPDIR/firebell-scale/,
PostgreSQL firebell_bench_scale_1k / _100k when the local server answers), built there
when missing. The signed-in person is the fixture's U00001 (a member of one issue in
ten), with a session cookie made with the bench's own session key. The issue page is
the newest issue U00001 can see (its 10 timeline events).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402
from sqlalchemy import text  # noqa: E402

from bench import scale  # noqa: E402
from bot.app import create_app  # noqa: E402
from bot.core.clock import FakeClock  # noqa: E402
from bot.demo.harness import sandbox_settings, serve_http  # noqa: E402
from sandbox import Sandbox  # noqa: E402
from sandbox.oidc import CLIENT_ID, CLIENT_SECRET  # noqa: E402
from storage.db import Database  # noqa: E402

TARGET_MS = 150.0
TARGET_BYTES = 300 * 1024
REQUESTS, WARMUPS = 60, 5
USER = scale.USER


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


async def measure(name: str, urls: dict[int, str]) -> bool:
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
        pages: dict[str, dict[int, str]] = {"board": {}, "issue page": {}}
        async with aiohttp.ClientSession() as http:
            for size, url in urls.items():
                firebell = create_app(
                    sandbox_settings(sandbox, url, **web_on),
                    clock=FakeClock(scale.NOW),
                    migrate=False,
                )
                cm = serve_http(firebell)
                servers[size] = (cm, await cm.__aenter__())
                base = servers[size][1]
                pages["board"][size] = base + "/"
                pages["issue page"][size] = f"{base}/issues/{newest_visible(url)}"
            css = 0
            for size in urls:
                css = (await timed(http, servers[size][1] + "/static/firebell.css"))[1]
            times: dict[tuple[str, int], list[float]] = {}
            sizes: dict[tuple[str, int], int] = {}
            rows: dict[tuple[str, int], int] = {}
            reference: list[float] = []
            for i in range(WARMUPS + REQUESTS):
                for page, by_size in pages.items():
                    for size, url in by_size.items():
                        took, length, body = await timed(http, url, cookies)
                        assert "Signed in as Bench" in body, body[:300]
                        if i >= WARMUPS:
                            times.setdefault((page, size), []).append(took)
                            sizes[(page, size)] = length + css
                            rows[(page, size)] = body.count("<tr>") + body.count("<li>")
                took = (await timed(http, bare_url + "/healthz"))[0]
                if i >= WARMUPS:
                    reference.append(took)
            ref = p95(reference)
            print(f"web ({name}): reference: bare aiohttp /healthz p95 {ref:6.2f} ms (same run)")
            for page in pages:
                for size in urls:
                    figure = p95(times[(page, size)])
                    total = sizes[(page, size)]
                    ok = figure <= TARGET_MS and total <= TARGET_BYTES
                    met = met and ok
                    print(
                        f"web ({name}): {page:<10} {size // 1000:>4}k issues  p95 "
                        f"{figure:7.1f} ms (target <= {TARGET_MS:.0f}; {figure / ref:6.1f}x "
                        f"the reference)  {total / 1024:6.1f} KB HTML+CSS (target <= "
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
    met = asyncio.run(measure("sqlite", scale.sqlite_databases(tag)))
    local = os.environ.get("BENCH_DATABASE_URL") or scale.LOCAL_POSTGRES
    pg = scale.postgres_databases(local, tag)
    if pg is not None:
        met = asyncio.run(measure("postgresql", pg)) and met
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
