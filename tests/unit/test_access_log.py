"""The access log masks query-string credentials and keeps everything else."""

from __future__ import annotations

import logging

import pytest
from aiohttp import ClientSession, web

from bot.core.access_log import MaskingAccessLogger, masked_target


@pytest.mark.parametrize(
    ("target", "logged"),
    [
        ("/webhooks/sentry?token=s3cr3t-t0k3n", "/webhooks/sentry?token=***"),
        ("/webhooks/sentry?a=1&token=abc&b=2", "/webhooks/sentry?a=1&token=***&b=2"),
        (
            "/h?key=k&secret=s&signature=g&password=p&user=dana",
            "/h?key=***&secret=***&signature=***&password=***&user=dana",
        ),
        ("/h?Token=abc&to%6Ben=def", "/h?Token=***&to%6Ben=***"),  # any spelling of the name
        ("/h?token=a&token=b", "/h?token=***&token=***"),  # every repeat
        ("/h?token=", "/h?token=***"),
        ("/h?token", "/h?token"),  # a bare flag has no value to hide
        ("/h?tokens=3&keyboard=us&monkey=1", "/h?tokens=3&keyboard=us&monkey=1"),  # exact names
        ("/slack/events", "/slack/events"),
        ("/search?q=checkout%20down&page=2", "/search?q=checkout%20down&page=2"),
    ],
)
def test_credential_values_are_masked_and_the_rest_kept(target: str, logged: str) -> None:
    assert masked_target(target) == logged


async def test_the_server_logs_requests_without_their_tokens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def hook(request: web.Request) -> web.Response:
        return web.Response(status=202, text="queued")

    app = web.Application()
    app.router.add_post("/webhooks/sentry", hook)
    access = logging.getLogger("firebell.test.access")
    runner = web.AppRunner(app, access_log_class=MaskingAccessLogger, access_log=access)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    caplog.set_level(logging.INFO, logger=access.name)
    try:
        async with ClientSession() as client:
            url = f"http://127.0.0.1:{port}/webhooks/sentry?token=s3cr3t-t0k3n&project=web"
            async with client.post(url, json={"event": 1}) as response:
                assert response.status == 202
    finally:
        await runner.cleanup()  # waits for the request to finish, its log line included
    lines = [r for r in caplog.records if r.name == access.name]
    assert len(lines) == 1
    message = lines[0].getMessage()
    assert "s3cr3t-t0k3n" not in message
    assert message.startswith('"POST /webhooks/sentry?token=***&project=web" 202 ')
    size, seconds = message.split()[-2:]
    assert int(size) > len("queued") and float(seconds) >= 0  # bytes sent, headers included
    assert lines[0].__dict__["path"] == "/webhooks/sentry?token=***&project=web"
    assert lines[0].__dict__["status"] == 202
