"""A bad start is one line, in-process (the real processes are in test_start_and_stop.py):
Slack answering 5xx or away is one warning and start goes on; a token Slack refuses is
one line and exit 2; a Socket Mode connection lost later is retried with backoff and
shows in /readyz. And a reader that goes away early (`| head`) is a quiet exit."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from bot.app import create_app
from bot.cli import main
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, sandbox_settings
from bot.serving.socket_mode import connect_socket_mode
from bot.serving.startup import check_app_token, check_slack_token
from sandbox import Sandbox
from tests.helpers import channel_of, file_report, people, run
from tests.ports import free_port
from tests.processes import FIREBELL, until


def no_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_slack_5xx_or_away_at_start_is_one_warning_and_start_goes_on(
    sandbox: Sandbox, database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    settings = sandbox_settings(sandbox, database_url)
    sandbox.faults.inject("auth.test", "server_error")
    sandbox.faults.inject("apps.connections.open", "server_error")
    caplog.set_level(logging.WARNING)
    await asyncio.to_thread(check_slack_token, settings)  # it was AttributeError: 'str' ...
    await asyncio.to_thread(check_app_token, settings)
    assert [r.getMessage() for r in caplog.records] == [
        "Slack answered auth.test with HTTP 500; starting anyway, it is asked again",
        "Slack answered apps.connections.open with HTTP 500; starting anyway",
    ]
    caplog.clear()
    away = sandbox_settings(sandbox, database_url, slack_api_url="http://127.0.0.1:9/api/")
    await asyncio.to_thread(check_slack_token, away)
    [line] = [r.getMessage() for r in caplog.records]
    assert line.startswith("cannot reach Slack at http://127.0.0.1:9/api/ (") and "\n" not in line
    no_tracebacks(caplog)


async def test_a_token_slack_refuses_is_one_line_and_exit_2(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.delenv("FIREBELL_TEST_DATABASE_URL", raising=False)
    monkeypatch.setenv("SLACK_API_URL", sandbox.api_url)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/firebell.db")
    monkeypatch.setenv("SLACK_SIGNING_SECRET", sandbox.signing_secret)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-not-the-one")
    port = str(free_port())
    quiet = ["--log-level", "WARNING"]  # the sandbox in this process logs its requests
    assert await asyncio.to_thread(main, [*quiet, "serve", "--port", port]) == 2
    assert capsys.readouterr().err == (
        "firebell: configuration error: SLACK_BOT_TOKEN: Slack refused it (invalid_auth); "
        "copy the Bot User OAuth Token from your app's OAuth & Permissions page\n"
    )
    monkeypatch.setenv("SLACK_BOT_TOKEN", sandbox.workspace.bot_token)
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1-not-the-one")
    # It retried forever, with a traceback every few seconds, and never opened /healthz.
    assert await asyncio.to_thread(main, [*quiet, "socket", "--port", port]) == 2
    assert capsys.readouterr().err == (
        "firebell: configuration error: SLACK_APP_TOKEN: Slack refused it (invalid_auth); "
        "copy the App-Level Token (xapp-…, scope connections:write) from your app's "
        "Basic Information page\n"
    )


async def test_a_lost_socket_is_retried_with_backoff_and_shown_in_readyz(
    sandbox: Sandbox, database_url: str, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    firebell = create_app(
        sandbox_settings(sandbox, database_url, slack_signing_secret=None), clock=clock
    )
    handler = await connect_socket_mode(firebell, sandbox.workspace.app_token)
    opened = sandbox.workspace.calls_to
    try:
        assert (await firebell.readiness.check())["checks"]["socket"] == "ok"
        caplog.set_level(logging.WARNING)
        sandbox.faults.inject("apps.connections.open", "server_error", times=2)
        await sandbox.socket.close_all()
        await until(lambda: len(opened("apps.connections.open")) >= 2, 5)
        found = await firebell.readiness.check()
        assert found["ok"] is False
        assert found["checks"]["socket"] == (
            "Socket Mode is disconnected: Slack answered apps.connections.open with HTTP 500"
        )
        await until(lambda: sandbox.socket.connections, 10)  # after 1 s, then 2 s
        assert len(opened("apps.connections.open")) == 4  # the first, two refused, one more
        assert (await firebell.readiness.check())["checks"]["socket"] == "ok"
        waits = [r.getMessage() for r in caplog.records if "trying again" in r.getMessage()]
        assert [w.rsplit(" in ", 1)[1] for w in waits] == ["1 s", "2 s"]
        no_tracebacks(caplog)
    finally:
        await handler.close_async()
        await firebell.stop()


async def test_export_into_a_pipe_closed_early_exits_quietly(h: Harness) -> None:
    """`firebell review export INC-1 | head` ended in a BrokenPipeError traceback."""
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    await run(h, sam, channel_of(h, issue), "review")
    env = {**os.environ, "DATABASE_URL": h.firebell.runtime.settings.database_url}
    read, write = os.pipe()
    os.close(read)  # the reader is gone before the first line, as `head` is after its last
    process = await asyncio.create_subprocess_exec(
        FIREBELL, "review", "export", "INC-1", stdout=write, stderr=asyncio.subprocess.PIPE, env=env
    )
    os.close(write)
    try:
        # A guard against a hang, not a bound on speed: 30 s was exceeded with the
        # machine's two cores shared by four lanes and more (the start alone is seconds).
        _, err = await asyncio.wait_for(process.communicate(), 120)
    finally:
        if process.returncode is None:  # timed out: leave no process or pipe behind
            process.kill()
            await process.wait()
    assert (process.returncode, err.decode()) == (1, "")
