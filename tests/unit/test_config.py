"""Bad settings stop start-up with one line naming the variable or the file and key."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config, load_settings
from bot.core.errors import ConfigError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_missing_tokens_name_the_variables() -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings("http")
    assert str(caught.value).splitlines() == [
        "SLACK_BOT_TOKEN: missing; expected the bot token from Slack (starts with xoxb-)",
        "SLACK_SIGNING_SECRET: missing; expected the signing secret from your Slack app's "
        "Basic Information",
    ]


def test_malformed_values_say_what_is_expected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxp-user-token")
    monkeypatch.setenv("DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError) as caught:
        load_settings("none")
    lines = str(caught.value).splitlines()
    assert "SLACK_BOT_TOKEN: expected the bot token from Slack (starts with xoxb-)" in lines
    assert any(line.startswith("DATABASE_URL: expected sqlite:///") for line in lines)


def test_env_file_is_read_and_secrets_never_print(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "SLACK_BOT_TOKEN=xoxb-very-secret\nSLACK_SIGNING_SECRET=shh-secret\n"
    )
    settings = load_settings("http")
    assert settings.slack_bot_token is not None
    assert settings.slack_bot_token.get_secret_value() == "xoxb-very-secret"
    assert "very-secret" not in repr(settings) and "shh-secret" not in str(settings)


def test_cli_prints_one_line_per_problem_and_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (
        "firebell: configuration error: SLACK_BOT_TOKEN: missing; expected the bot token "
        "from Slack (starts with xoxb-)"
    )
    assert "Traceback" not in "\n".join(err)


def test_bad_config_file_names_file_key_and_problem(tmp_path: Path) -> None:
    path = tmp_path / "firebell.yml"
    path.write_text("admins: [U012AB]\nchanel_prefix: inc\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}: chanel_prefix: is not a setting here (did you mean `channel_prefix`?)"
    )
    path.write_text("channel_prefix: 'Has Spaces'\n")
    with pytest.raises(ConfigError, match=r"firebell.yml: channel_prefix: must be up to 10 "):
        load_config(path)
    path.write_text("admins: [U012AB\n")
    with pytest.raises(ConfigError, match=r"firebell.yml: not valid YAML at line 2"):
        load_config(path)
    with pytest.raises(ConfigError, match=r"nope.yml: cannot read the file"):
        load_config(tmp_path / "nope.yml")
    path.write_text("admins: [U012AB, S0ADMINS]\nchannel_prefix: bug\n")
    assert load_config(path).channel_prefix == "bug"
