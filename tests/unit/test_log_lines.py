"""What reaches the log: no configured secret in any field, by value or by name; one line
for every record, whatever the text it quotes. The real formatters, handlers and access
logger, writing to a buffer."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from bot.config import FirebellConfig, Settings
from bot.core.access_log import MaskingAccessLogger
from bot.core.log_context import ContextFilter, bound
from bot.core.logs import (
    RedactingJsonFormatter,
    RedactingTextFormatter,
    mask_in_logs,
    secret_values,
)
from bot.detection.alerts import read_generic
from bot.detection.validation import BadPayload
from bot.sla.targets import pager_keys

API_TOKEN = "plain0words0token0a"  # no shape or name redaction would know
WEBHOOK_TOKEN = "webhook-token-of-the-generic-source"
PAGER_KEY = "0123456789abcdef0123456789abcdef"
FORGED = "\n2026-12-04 10:00:00,000 INFO bot.core.delivery: admin logged in as root"


def _config() -> FirebellConfig:
    return FirebellConfig(
        api={"tokens": {"bi": {"token": API_TOKEN}}},
        webhooks={"tokens": {"generic": WEBHOOK_TOKEN}},
        escalation_policies=[
            {"name": "default", "steps": [{"targets": [{"pagerduty": PAGER_KEY}]}]}
        ],
    )


@pytest.fixture(params=["json", "text"])
def written(request: pytest.FixtureRequest) -> Iterator[tuple[str, logging.Logger, io.StringIO]]:
    """A logger writing through the root's kind of handler (ours), secrets masked as
    create_app masks them."""
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.addFilter(ContextFilter())
    if request.param == "json":
        handler.setFormatter(RedactingJsonFormatter("%(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(RedactingTextFormatter("%(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    settings = Settings(slack_bot_token="xoxb-1-2-abcdefghijklmnop", _env_file=None)
    config = _config()
    mask_in_logs([*secret_values(settings, config), *pager_keys(config)])
    logger = logging.getLogger("firebell.test.lines")
    logger.propagate, logger.level = False, logging.INFO
    logger.addHandler(handler)
    try:
        yield request.param, logger, out
    finally:
        logger.removeHandler(handler)
        root.removeHandler(handler)


def test_every_configured_secret_is_found() -> None:
    settings = Settings(
        slack_bot_token="xoxb-1-2-abcdefghijklmnop",
        slack_signing_secret="8f14e45fceea167a5a36dedd4bea2543",
        _env_file=None,
    )
    config = _config()
    found = secret_values(settings, config) | set(pager_keys(config))
    assert {API_TOKEN, WEBHOOK_TOKEN, PAGER_KEY, "8f14e45fceea167a5a36dedd4bea2543"} <= found
    assert "xoxb-1-2-abcdefghijklmnop" in found


def test_query_tokens_are_masked_in_every_field_of_the_access_line(
    written: tuple[str, logging.Logger, io.StringIO],
) -> None:
    fmt, logger, out = written
    target = (
        f"/api/v1/issues?q={API_TOKEN}&page=2&access_token={API_TOKEN}"
        f"&api_token={API_TOKEN}x&auth={WEBHOOK_TOKEN}"
    )
    request = make_mocked_request("GET", target)
    MaskingAccessLogger(logger, "").log(request, web.Response(status=200), 0.01)
    line = out.getvalue()
    assert API_TOKEN not in line and WEBHOOK_TOKEN not in line
    if fmt == "json":
        record = json.loads(line)
        # by value under any name; by name after (the access log's `***`, or redaction's)
        assert record["path"].startswith("/api/v1/issues?q=[REDACTED]&page=2&access_token=")


def test_a_secret_in_any_extra_or_context_field_is_masked(
    written: tuple[str, logging.Logger, io.StringIO],
) -> None:
    _fmt, logger, out = written
    with bound(request_id=f"r-{PAGER_KEY}"):
        logger.info("sent %s", f"key {PAGER_KEY}", extra={"detail": {"auth": WEBHOOK_TOKEN}})
    line = out.getvalue()
    assert PAGER_KEY not in line and WEBHOOK_TOKEN not in line and "sent key" in line


def test_a_trace_id_cannot_forge_a_log_line(
    written: tuple[str, logging.Logger, io.StringIO],
) -> None:
    fmt, logger, out = written
    with bound(issue="INC-7", trace_id=f"abc{FORGED}"):
        logger.info("delivered outbox item 17\x1b[2J%s", FORGED)
        logger.warning("title \u2028 says\u0085 so")
    lines = out.getvalue().splitlines()
    assert len(lines) == 2
    if fmt == "json":
        records = [json.loads(line) for line in lines]
        assert records[0]["trace_id"] == f"abc{FORGED}"  # kept, escaped by JSON
    else:
        assert "\\n2026-12-04 10:00:00,000 INFO" in lines[0] and "\\x1b[2J" in lines[0]
        escaped = FORGED.replace("\n", "\\n")
        assert lines[0].endswith(f"[issue=INC-7 trace_id=abc{escaped}]")
        assert "title \\u2028 says\\x85 so" in lines[1]


def test_a_traceback_keeps_its_lines_and_loses_its_secrets(
    written: tuple[str, logging.Logger, io.StringIO],
) -> None:
    fmt, logger, out = written
    try:
        raise RuntimeError(f"refused {API_TOKEN}")
    except RuntimeError:
        logger.exception("failed")
    assert API_TOKEN not in out.getvalue()
    if fmt == "text":
        assert "Traceback (most recent call last):\n" in out.getvalue()


@pytest.mark.parametrize(
    "trace_id", ["abc\ndef", "abc def", "abc\n", "<!channel>", "4bf9\u2028", "x" * 201]
)
def test_an_alert_whose_trace_id_is_not_one_is_refused(trace_id: str) -> None:
    body = {"fingerprint": "f", "status": "firing", "title": "t", "labels": {"trace_id": trace_id}}
    with pytest.raises(BadPayload, match="trace_id"):
        read_generic(body)


@pytest.mark.parametrize(
    "trace_id", ["4bf92f3577b34da6a3ce929d0e0e4736", "1-5759e988-bd862e3fe1be46a994272793", "a=b"]
)
def test_an_alert_with_a_trace_id_keeps_it(trace_id: str) -> None:
    body = {"fingerprint": "f", "status": "firing", "title": "t", "labels": {"trace_id": trace_id}}
    assert read_generic(body)[0].labels["trace_id"] == trace_id
