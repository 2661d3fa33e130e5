"""Thousands of hostile requests at every webhook, over HTTP: never a 5xx, never a traceback.

The requests are built by a seeded random.Random, so every run sends the same
ones: malformed JSON, wrong types, deep nesting, lone surrogates and NULs, huge
and non-finite numbers, impossible times, bodies near the size limit, wrong
content types, and missing or wrong credentials, across all six webhooks.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import json
import logging
import random
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from sqlmodel import func, select
from yarl import URL

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from storage.models import AlertEvent, Deploy
from tests.hostile_json import Raw, dumps, nested, paths, swap

TOKEN = "hostile-token-0123456789"
SENTRY_SECRET = "hostile-sentry-secret"
SOURCES = ("alertmanager", "grafana", "sentry", "datadog", "generic", "deploy")
MAX_BODY_KB = 16
PER_SOURCE = 200  # 1,200 requests in all (2,400 cost 23 s on PostgreSQL)
CONFIG = FirebellConfig.model_validate(
    {
        "webhooks": {
            "tokens": dict.fromkeys(SOURCES, TOKEN),
            "sentry_client_secret": SENTRY_SECRET,
            "max_body_kb": MAX_BODY_KB,
        },
    }
)

TEMPLATES: dict[str, dict[str, Any]] = {
    "alertmanager": {
        "version": "4",
        "status": "firing",
        "receiver": "firebell",
        "alerts": [
            {
                "status": "firing",
                "labels": {"alertname": "HighErrorRate", "severity": "critical", "job": "api"},
                "annotations": {"summary": "5xx above 5%", "runbook_url": "https://rb/5xx"},
                "startsAt": "2026-01-05T08:58:00Z",
                "endsAt": "0001-01-01T00:00:00Z",
                "generatorURL": "http://prometheus:9090/graph",
                "fingerprint": "c2f3",
            }
        ],
    },
    "sentry": {
        "action": "triggered",
        "data": {
            "event": {
                "title": "TypeError: x is undefined",
                "level": "error",
                "issue_id": "1170",
                "tags": [["environment", "prod"], ["service", "web"]],
                "datetime": "2026-01-05T08:59:00Z",
                "web_url": "https://sentry.io/issues/1170/",
            },
            "triggered_rule": "New errors",
        },
    },
    "datadog": {
        "id": "123",
        "title": "[Triggered] CPU high",
        "transition": "Triggered",
        "alert_id": "42",
        "aggregate": "agg-42",
        "priority": "P1",
        "tags": "service:web,env:prod",
        "link": "https://app.datadoghq.com/monitors/42",
        "date": "1767603600000",
        "body": "CPU > 90%",
    },
    "generic": {
        "alerts": [
            {
                "fingerprint": "queue-backlog",
                "status": "firing",
                "title": "Queue backlog",
                "severity": "major",
                "service": "worker",
                "labels": {"trace_id": "4bf92f3577b34da6"},
                "links": {"dashboard": "https://grafana/d/q"},
                "starts_at": "2026-01-05T09:00:00Z",
            }
        ]
    },
    "deploy": {
        "service": "search-api",
        "version": "v1.3.2",
        "environment": "production",
        "time": "2026-01-05T10:00:00Z",
        "link": "https://ci.example.com/runs/77",
        "fixes": ["INC-1"],
        "description": "Revert timeout; fixes INC-2",
    },
}
TEMPLATES["grafana"] = copy.deepcopy(TEMPLATES["alertmanager"])
TEMPLATES["grafana"]["alerts"][0]["dashboardURL"] = "http://grafana:3000/d/xyz"

RAW_NUMBERS = ["1e400", "-1e400", "NaN", "Infinity", "-Infinity", "1e-400", "-0"]
RAW_NUMBERS += ["9" * 4000, "9" * 4400, "18446744073709551616"]
HOSTILE_VALUES: list[Any] = [
    *[None, True, False, 0, -1, 2**64, -(10**40), 10**300, 1.5, 1e308],
    *["", " ", "\ud800", "a\udfffb", "\udc80\ud800", "nul\x00here", "é" * 80, "x" * 600],
    *[[], {}, [1, [2, [3]]], {"a": {"b": "\ud800"}}, {"\ud800": "key"}, ["firing"], {"slug": 7}],
    *["INC-99999999999999999999", "INC-" + "9" * 5000],
    # times, last: `times` below draws from these
    *["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00", "+99999-01-01T00:00:00Z"],
    *["2026-13-45T99:99:99Z", "9" * 30, "١٢٣"],
]
TIME_FIELDS = ("startsAt", "datetime", "date", "starts_at", "time", "firstSeen")
CONTENT_TYPES = ["text/plain", "application/x-www-form-urlencoded", "application/xml", ""]
CONTENT_TYPES += ["multipart/form-data; boundary=x", "application/json; charset=latin-1"]


@dataclass
class Shot:
    source: str
    raw: bytes
    headers: dict[str, str] = field(default_factory=dict)
    query: str = ""


class Builder:
    """Builds the requests; every choice comes from one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.kinds: list[Callable[[str], Shot]] = [
            self.malformed,
            self.wrong_types,
            self.deep,
            self.bad_text,
            self.numbers,
            self.times,
            self.near_limit,
            self.content_type,
            self.credentials,
            self.valid,
        ]

    def body(self, source: str) -> Any:
        body = copy.deepcopy(TEMPLATES[source])
        if source == "deploy":
            body["version"] = f"v{self.rng.randrange(10**6)}"
        return body

    def mutated(self, source: str, values: list[Any], where: Callable[[tuple], bool]) -> bytes:
        body = self.body(source)
        places = [p for p in paths(body) if where(p)] or paths(body)
        raws = swap(self.rng, body, places, values)
        return dumps(body, raws).encode("utf-8", "surrogatepass")

    def malformed(self, source: str) -> Shot:
        good = json.dumps(self.body(source)).encode()
        raw = self.rng.choice(
            [
                good[: self.rng.randrange(len(good))],
                good + b"}",
                good.replace(b'"', b"'"),
                b"",
                b"null",
                b"[]",
                b'"just a string"',
                b"42",
                bytes(self.rng.randrange(256) for _ in range(self.rng.randint(1, 200))),
                b"\xff\xfe" + good,
                b"\xef\xbb\xbf" + good,
                good.replace(b"{", b"{,", 1),
                b'{"a": 1} {"b": 2}',
            ]
        )
        return Shot(source, raw)

    def wrong_types(self, source: str) -> Shot:
        return Shot(source, self.mutated(source, HOSTILE_VALUES, lambda p: True))

    def deep(self, source: str) -> Shot:
        depth = self.rng.choice([33, 40, 100, 999, 1000, 1500, 5000, 8000])
        if self.rng.random() < 0.3:
            return Shot(source, nested(depth).encode())
        return Shot(source, self.mutated(source, [Raw(nested(depth))], lambda p: True))

    def bad_text(self, source: str) -> Shot:
        if self.rng.random() < 0.2:  # a surrogate as raw (CESU-style) UTF-8 bytes
            good = json.dumps(self.body(source)).encode()
            return Shot(source, good.replace(b'"', b'"\xed\xa0\x80', 2))
        values = ["\ud800", "\udfff", "ok\ud83d", "\x00", "a\x00b", {"\udc00": "v"}]
        return Shot(source, self.mutated(source, values, lambda p: isinstance(p[-1], str)))

    def numbers(self, source: str) -> Shot:
        values = [Raw(t) for t in RAW_NUMBERS] + [2**63, -(2**63) - 1, 10**100]
        return Shot(source, self.mutated(source, values, lambda p: True))

    def times(self, source: str) -> Shot:
        values = [*HOSTILE_VALUES[-6:], None, {}, "", Raw("1e400"), 2**70, -5, 253402300800000]
        return Shot(source, self.mutated(source, values, lambda p: p[-1] in TIME_FIELDS))

    def near_limit(self, source: str) -> Shot:
        body = self.body(source)
        filler = self.rng.choice(["x", "é", "\u4e2d", "\\"])
        text = json.dumps(body)
        target = MAX_BODY_KB * 1024 + self.rng.choice([-200, -3, -1, 0, 1, 2, 500])
        overhead = len(text.encode()) + len(', "padding": ""')
        size = len(json.dumps(filler).encode()) - 2  # bytes per filler character, escaped
        body["padding"] = filler * max(0, (target - overhead) // size)
        return Shot(source, json.dumps(body, ensure_ascii=False).encode())

    def content_type(self, source: str) -> Shot:
        raw = self.rng.choice(
            [json.dumps(self.body(source)).encode(), b"a=1&b=2", b"<alert/>", b"--x\r\n"]
        )
        return Shot(source, raw, headers={"Content-Type": self.rng.choice(CONTENT_TYPES)})

    def credentials(self, source: str) -> Shot:
        raw = json.dumps(self.body(source)).encode()
        choice = self.rng.randrange(7)
        headers = {
            0: {"Authorization": ""},
            1: {"Authorization": "Bearer wrong"},
            2: {"Authorization": f"bearer {TOKEN}"},
            3: {"Authorization": "Bearer \u00e9\u4e2d"},
            4: {"Authorization": "Basic " + "A" * 4000},
            5: {"Authorization": "", "Sentry-Hook-Signature": "\u00e9" * 64},
            6: {"Authorization": ""},
        }[choice]
        query = {0: "", 5: f"token={TOKEN}", 6: "token=%ED%A0%80%FF"}.get(choice, "")
        return Shot(source, raw, headers=headers, query=query)

    def valid(self, source: str) -> Shot:
        return Shot(source, json.dumps(self.body(source)).encode())

    def build(self) -> list[Shot]:
        shots = []
        for index in range(PER_SOURCE * len(SOURCES)):
            source = SOURCES[index % len(SOURCES)]
            kind = self.kinds[(index // len(SOURCES)) % len(self.kinds)]
            shots.append(kind(source))
        return shots


def headers_for(shot: Shot) -> dict[str, str]:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"}
    if shot.source == "sentry":
        signature = hmac.new(SENTRY_SECRET.encode(), shot.raw, hashlib.sha256).hexdigest()
        headers["Sentry-Hook-Signature"] = signature
        headers["Sentry-Hook-Resource"] = "issue" if b'"issue"' in shot.raw else "event_alert"
    headers.update(shot.headers)
    return {k: v for k, v in headers.items() if v}


@pytest.fixture
async def hh(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as harness:
        yield harness


async def test_hostile_requests_never_reach_a_5xx(
    hh: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    shots = Builder(seed=20260105).build()
    statuses: Counter[int] = Counter()
    problems: list[str] = []
    stored_alerts = 0
    gate = asyncio.Semaphore(8)

    async def send(session: aiohttp.ClientSession, shot: Shot) -> None:
        nonlocal stored_alerts
        url = URL(f"{hh.bot_url}/webhooks/{shot.source}?{shot.query}", encoded=True)
        async with (
            gate,
            session.post(
                url,
                data=shot.raw,
                headers=headers_for(shot),
                skip_auto_headers=["Content-Type"],
            ) as resp,
        ):
            text = await resp.text()
        statuses[resp.status] += 1
        try:
            answer = json.loads(text)
        except ValueError:
            problems.append(f"{resp.status} {shot.source}: not JSON: {text[:200]}")
            return
        if resp.status >= 500:
            problems.append(f"{resp.status} {shot.source}: {text[:300]} for {shot.raw[:200]!r}")
        elif resp.status >= 400:
            error = answer.get("error")
            if answer.get("ok") is not False or not isinstance(error, str):
                problems.append(f"{resp.status} {shot.source}: no reason: {text[:200]}")
            elif "<class" in error or "Traceback" in error:
                problems.append(f"{resp.status} {shot.source}: Python leaks: {error[:200]}")
        elif answer.get("ok") is not True:
            problems.append(f"{resp.status} {shot.source}: not ok: {text[:200]}")
        elif resp.status == 202:
            stored_alerts += sum(a["action"] != "resolved_unknown" for a in answer["alerts"])

    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(send(session, shot) for shot in shots))
    await hh.firebell.settle()

    summary = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    print(f"\nhostile webhooks: {len(shots)} requests; {summary}")
    assert not problems, "\n".join(problems[:20])
    assert sum(statuses.values()) == len(shots) >= 1000
    assert not [s for s in statuses if s >= 500]
    noisy = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not noisy, [f"{r.name}: {r.getMessage()}" for r in noisy[:5]]
    # Refused requests stored nothing: the rows are exactly what the 2xx answers reported.
    with hh.firebell.runtime.db.session() as session:
        events = session.exec(select(func.count()).select_from(AlertEvent)).one()
        deploys = session.exec(select(func.count()).select_from(Deploy)).one()
    assert events == stored_alerts
    assert deploys == statuses[201]
