"""One HTTP error path: every refusal of the API, /metrics and a webhook is a problem
(RFC 9457, application/problem+json), and a route that fails answers a JSON 500 whose
error id the log line carries too."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.core.log_context import ContextFilter
from bot.demo.harness import Harness, running
from tests.helpers import file_report, people

TOKEN = "problem-token-0123456789"
CONFIG = FirebellConfig.model_validate(
    {
        "api": {"tokens": {"reports": {"token": TOKEN}}},
        "metrics": {"token": TOKEN},
        "webhooks": {"tokens": {"generic": TOKEN}, "max_body_kb": 16},
    }
)
PROBLEM = "application/problem+json"


@pytest.fixture
async def hp(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as harness:
        yield harness


async def call(
    h: Harness, method: str, path: str, token: str | None = TOKEN, body: bytes = b"{}"
) -> tuple[int, str, Any, Any]:
    headers = {"Content-Type": "application/json"}
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, h.bot_url + path, headers=headers, data=body) as r,
    ):
        return r.status, r.content_type, await r.json(content_type=None), r.headers


def assert_problem(status: int, content_type: str, body: Any, expected: int) -> str:
    """The problem's detail, after checking its shape (and the keys kept for old clients)."""
    assert (status, content_type) == (expected, PROBLEM), (status, content_type, body)
    assert body["type"] == "about:blank" and body["status"] == expected
    assert body["title"] and body["detail"]
    assert body["ok"] is False and body["error"] == body["detail"]
    return str(body["detail"])


async def test_a_missing_or_wrong_token_gets_the_same_problem_everywhere(hp: Harness) -> None:
    for method, path in [
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/issues"),
        ("GET", "/api/v1/issues/INC-1"),
        ("GET", "/metrics"),
        ("POST", "/webhooks/generic"),
    ]:
        for token in (None, "wrong", TOKEN + "x", "Ünïcödé"):
            status, content_type, body, headers = await call(hp, method, path, token)
            detail = assert_problem(status, content_type, body, 401)
            assert detail == "missing or wrong bearer token", (path, token)
            assert headers["WWW-Authenticate"] == "Bearer"


async def test_refusals_are_problems_with_their_reason(hp: Harness) -> None:
    refusals = [
        ("GET", "/api/v1/stats?since=tomorrow", 400, "since must be a date"),
        ("GET", "/api/v1/issues?limit=0", 400, "limit must be a whole number"),
        ("GET", "/api/v1/issues/INC-7", 404, "there is no issue INC-7"),
        ("GET", "/api/v1/issues/INC-0", 404, "there is no issue INC-0"),  # impossible key
        ("GET", "/api/v1/issues/INC-" + "9" * 40, 404, "there is no issue INC-999"),
        ("GET", "/api/v1/issues/nonsense", 404, "there is no issue nonsense"),
        ("POST", "/webhooks/opsgenie", 404, "unknown source opsgenie"),
        ("POST", "/webhooks/grafana", 401, "the grafana webhook is off"),
        ("POST", "/webhooks/generic", 400, "body.fingerprint is missing"),
        ("GET", "/no/such/page", 404, "Not Found"),  # aiohttp's own refusals too
        ("DELETE", "/api/v1/stats", 405, "Method Not Allowed"),
    ]
    for method, path, expected, reason in refusals:
        status, content_type, body, _ = await call(hp, method, path)
        assert assert_problem(status, content_type, body, expected).startswith(reason), path
    big = b'{"title": "' + b"x" * 20_000 + b'"}'
    status, content_type, body, _ = await call(hp, "POST", "/webhooks/generic", body=big)
    assert assert_problem(status, content_type, body, 413) == "the body is over 16 KB"


async def test_the_api_is_off_without_a_token_as_a_problem(h: Harness) -> None:
    status, content_type, body, _ = await call(h, "GET", "/api/v1/issues")
    assert "api.tokens" in assert_problem(status, content_type, body, 404)


async def test_a_failing_route_answers_a_json_500_with_the_error_id_of_its_log_line(
    hp: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.handler.addFilter(ContextFilter())  # as the served logs do (bot/logs.py)
    dana, _sam, support = people(hp)
    await file_report(hp, dana, support)
    assert (await call(hp, "GET", "/api/v1/issues/INC-1"))[0] == 200
    engine = hp.firebell.runtime.db.engine
    # A broken database: the route's second query finds no timeline table.
    with engine.begin() as conn:
        conn.execute(text("ALTER TABLE timeline_events RENAME TO timeline_gone"))
    try:
        status, content_type, body, headers = await call(hp, "GET", "/api/v1/issues/INC-1")
    finally:
        with engine.begin() as conn:
            conn.execute(text("ALTER TABLE timeline_gone RENAME TO timeline_events"))

    detail = assert_problem(status, content_type, body, 500)
    error_id = body["error_id"]
    assert error_id.startswith("E") and len(error_id) == 9 and error_id in detail
    assert "Traceback" not in detail and "timeline" not in detail  # nothing of the cause leaks
    logged = [r for r in caplog.records if error_id in r.getMessage()]
    assert len(logged) == 1, logged  # logged once
    record = logged[0]
    assert record.levelno == logging.ERROR and record.exc_info is not None
    assert record.__dict__["error_id"] == error_id  # bound to the log context
    assert record.__dict__["request_id"] == headers["X-Request-Id"]
    assert "GET /api/v1/issues/INC-1" in record.getMessage()
    assert (await call(hp, "GET", "/api/v1/issues/INC-1"))[0] == 200  # repaired
