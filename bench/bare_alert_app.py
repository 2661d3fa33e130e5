"""The alert storm's reference: a bare aiohttp app that stores Alertmanager alerts.

What the machine can do with no framework of ours: check the bearer token, parse the
same Alertmanager JSON, and do one upsert per alert (a count per fingerprint), one
transaction per request, synchronously on the loop. SQLite in WAL with
synchronous=NORMAL as Firebell's own engine sets it; or PostgreSQL (psycopg, one
connection, a commit per request) when the URL says so.

    python bench/bare_alert_app.py PORT DATABASE_URL TOKEN
"""

from __future__ import annotations

import json
import sqlite3
import sys
from datetime import UTC, datetime
from typing import Any

from aiohttp import web

UPSERT = (
    "INSERT INTO bare_alerts (fingerprint, status, title, occurrences, last_seen) "
    "VALUES ({p}, {p}, {p}, 1, {p}) ON CONFLICT (fingerprint) DO UPDATE SET "
    "occurrences = bare_alerts.occurrences + 1, status = excluded.status, "
    "title = excluded.title, last_seen = excluded.last_seen"
)
TABLE = (
    "CREATE TABLE IF NOT EXISTS bare_alerts (fingerprint VARCHAR(200) PRIMARY KEY, "
    "status VARCHAR(10) NOT NULL, title VARCHAR(300) NOT NULL, "
    "occurrences INTEGER NOT NULL, last_seen VARCHAR(40) NOT NULL)"
)


def connect(url: str) -> tuple[Any, str]:
    """A DB-API connection and its parameter marker."""
    if url.startswith("sqlite:///"):
        conn = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(TABLE)
        return conn, "?"
    import psycopg

    conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
    conn.execute("DROP TABLE IF EXISTS bare_alerts")
    conn.execute(TABLE)
    conn.commit()
    return conn, "%s"


def app(url: str, token: str) -> web.Application:
    conn, marker = connect(url)
    upsert = UPSERT.format(p=marker)
    sqlite = isinstance(conn, sqlite3.Connection)
    expected = f"Bearer {token}"

    async def receive(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != expected:
            return web.json_response({"ok": False, "error": "unauthorized"}, status=401)
        body = json.loads(await request.read())
        now = datetime.now(UTC).isoformat()
        rows = [
            (
                alert["fingerprint"],
                alert["status"],
                alert["annotations"].get("summary") or alert["labels"]["alertname"],
                now,
            )
            for alert in body["alerts"]
        ]
        if sqlite:
            conn.execute("BEGIN IMMEDIATE")
        cursor = conn.cursor()
        for row in rows:
            cursor.execute(upsert, row)
        conn.commit() if not sqlite else conn.execute("COMMIT")
        return web.json_response({"ok": True, "alerts": len(rows)}, status=202)

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    application = web.Application()
    application.router.add_post("/webhooks/alertmanager", receive)
    application.router.add_get("/healthz", healthz)
    return application


if __name__ == "__main__":
    port, url, token = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    web.run_app(app(url, token), host="127.0.0.1", port=port, print=None, access_log=None)
