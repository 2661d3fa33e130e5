"""The web app's settings: check-config prints a fresh session key when one is missing,
and a session key that is not a Fernet key is refused in our words."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.cli import main


@pytest.fixture
def web_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    monkeypatch.setenv("SLACK_CLIENT_ID", "123.456")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "s3cret")
    return monkeypatch


def test_check_config_prints_a_fresh_session_key(
    web_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 0
    out = capsys.readouterr().out
    line = next(w for w in out.split() if w.startswith("FIREBELL_SESSION_KEY="))
    Fernet(line.removeprefix("FIREBELL_SESSION_KEY=").encode())  # a usable key


def test_a_set_session_key_is_checked(
    web_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    web_env.setenv("FIREBELL_SESSION_KEY", Fernet.generate_key().decode())
    assert main(["check-config"]) == 0
    assert "web app: on at" in capsys.readouterr().out
    web_env.setenv("FIREBELL_SESSION_KEY", "not-a-key")
    assert main(["check-config"]) == 2
    assert "FIREBELL_SESSION_KEY" in capsys.readouterr().err


def test_without_client_id_nothing_is_said_of_the_web_app(
    web_env: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    web_env.delenv("SLACK_CLIENT_SECRET")
    assert main(["check-config"]) == 0
    assert "web app" not in capsys.readouterr().out
