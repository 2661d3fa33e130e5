"""Starting and stopping `firebell serve` as a real process: each problem is one line
and a non-zero exit; SIGTERM exits without waiting on Slack and hands back what it held
(how fast it exits is measured in bench/, not bounded here)."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from sandbox import Sandbox
from tests.ports import free_port
from tests.processes import firebell_env, run_firebell, start_firebell

TOKEN = "hook-token-0123456789"
# How long the sandbox Slack holds a "late" answer in the SIGTERM test (its cap is 30 s).
SLACK_HOLD_SECONDS = 30.0


def environment(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    config = tmp_path / "firebell.yml"
    config.write_text(f"webhooks:\n  tokens:\n    generic: {TOKEN}\n")
    env = firebell_env(sandbox, f"sqlite:///{tmp_path}/firebell.db", config)
    env.pop("FIREBELL_TEST_DATABASE_URL", None)
    return env


async def test_each_start_up_problem_is_one_line(sandbox: Sandbox, tmp_path: Path) -> None:
    env = environment(sandbox, tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = await run_firebell("serve", "--host", "127.0.0.1", "--port", str(port), env=env)
    assert code == 1 and err.strip().count("\n") == 0
    assert f"port {port} on 127.0.0.1 is in use" in err

    code, err = await run_firebell("serve", "--port", "99999", env=env)
    assert (code, err.strip()) == (
        1,
        "firebell: cannot start: --port 99999: a port is a number from 1 to 65535",
    )

    down = {**env, "DATABASE_URL": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere"}
    code, err = await run_firebell("serve", "--port", str(free_port()), env=down)
    assert code == 1 and err.startswith("firebell: cannot start: DATABASE_URL: cannot open")
    assert "Traceback" not in err and err.strip().count("\n") == 0

    wrong = {**env, "SLACK_BOT_TOKEN": "xoxb-not-the-one"}
    code, err = await run_firebell("serve", "--port", str(free_port()), env=wrong)
    assert code == 2 and "SLACK_BOT_TOKEN: Slack refused it (invalid_auth)" in err
    assert err.strip().count("\n") == 0

    code, err = await run_firebell("migrate", env=down)  # no traceback here either
    assert code == 1 and err.startswith("firebell: cannot start: DATABASE_URL: cannot open")

    nowhere = {**env, "DATABASE_URL": f"sqlite:///{tmp_path}/missing.db"}
    code, err = await run_firebell("review", "export", "INC-1", env=nowhere)
    assert code == 1 and "there is no database at" in err and "Traceback" not in err
    assert not (tmp_path / "missing.db").exists()


async def test_slack_answering_500_at_start_is_one_warning_and_serve_starts(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """It was a 44-line traceback ending in AttributeError: 'str' object has no attribute 'get'."""
    sandbox.faults.inject("auth.test", "server_error")
    with (tmp_path / "stderr").open("wb") as stderr:
        server = await start_firebell(environment(sandbox, tmp_path), stderr=stderr)
        try:
            async with aiohttp.ClientSession() as http, http.get(server.url + "/readyz") as ready:
                assert ready.status == 503  # started, and not ready until Slack answers
        finally:
            assert await server.stop() == 0
    lines = (tmp_path / "stderr").read_text().strip().splitlines()  # WARNING and above
    assert len(lines) == 1, "\n".join(lines)
    [line] = lines
    assert "WARNING firebell: Slack answered auth.test with HTTP 500; starting anyway" in line


def test_check_config_and_version(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "firebell.yml"
    config.write_text("escalation_policys: []\n")
    os.environ["FIREBELL_CONFIG"] = str(config)
    try:
        assert main(["check-config"]) == 2
    finally:
        del os.environ["FIREBELL_CONFIG"]
    assert "(did you mean `escalation_policies`?)" in capsys.readouterr().err
    assert main(["check-config"]) == 2  # serve would refuse to start without Slack settings
    assert "SLACK_BOT_TOKEN: missing" in capsys.readouterr().err
    os.environ.update(SLACK_BOT_TOKEN="xoxb-1", SLACK_SIGNING_SECRET="s")
    try:
        assert main(["check-config"]) == 0
    finally:
        del os.environ["SLACK_BOT_TOKEN"], os.environ["SLACK_SIGNING_SECRET"]
    out = capsys.readouterr().out
    assert "environment for http mode: ok" in out
    assert "playbooks: bug, default, outage, security: ok" in out
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("firebell ")


async def test_sigterm_mid_delivery_exits_without_waiting_on_slack_and_frees_the_item(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Slack holds its answer to the channel's create until the test releases it, after
    the process is gone: the process must give up on the call, exit 0, and leave the
    item pending and unlocked. Were it to wait for the answer, it would still be running
    when Slack's hold ends (SLACK_HOLD_SECONDS): `stop` would time out first."""
    env = environment(sandbox, tmp_path)
    server = await start_firebell(env)
    try:
        sandbox.faults.inject("conversations.create", "late", hold=SLACK_HOLD_SECONDS)
        alert = {"fingerprint": "db-1", "title": "Primary database is down"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{server.url}/webhooks/generic",
                data=json.dumps(alert),
                headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
            ) as answer,
        ):
            assert answer.status == 202
        await sandbox.workspace.wait_for(
            lambda: sandbox.workspace.calls_to("conversations.create"), timeout=10
        )
        # Not a bound on the time to exit (bench/ measures that): a guard well short of
        # the hold, so a process that waits for Slack's answer fails instead of hanging.
        code = await server.stop(timeout=SLACK_HOLD_SECONDS / 2)
    finally:
        await server.kill()
        sandbox.faults.clear()
    assert code == 0
    with sqlite3.connect(tmp_path / "firebell.db") as db:
        row = db.execute(
            "SELECT status, attempts, locked_until FROM outbox WHERE kind = 'create_channel'"
        ).fetchone()
    assert row == ("pending", 1, None)  # tried once, and free for the next start at once


def test_start_up_logs_no_unused_token_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Bolt found SLACK_BOT_TOKEN in the environment and warned at every start that it
    was unused (the client carries it): noise an operator learns to ignore."""
    from bot.app import create_app
    from bot.config import Settings

    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-from-the-environment")
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, slack_signing_secret="s", database_url=f"sqlite:///{tmp_path}/f.db"
    )
    caplog.set_level("DEBUG")
    firebell = create_app(settings)
    firebell.runtime.db.dispose()
    assert not [r for r in caplog.records if "`token` will be unused" in r.getMessage()]
