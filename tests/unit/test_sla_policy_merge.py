"""A partial SLA policy is merged over the defaults; `check-config --explain` prints the
policy in force; `check-config` says which run mode it checked (issue 18, items 18, 20)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import FirebellConfig


def test_one_clock_changes_only_that_clock() -> None:
    sla = FirebellConfig.model_validate({"sla": {"policies": {"sev1": {"acknowledge": "5m"}}}}).sla
    critical = sla.policy("critical")
    assert critical.acknowledge == timedelta(minutes=5)
    assert critical.update == timedelta(minutes=30) and critical.resolve == timedelta(hours=4)
    assert sla.policy("major").acknowledge == timedelta(hours=1)
    minor = sla.policy("minor")
    assert minor.resolve == timedelta(days=7) and minor.business_hours is not None


def test_off_stops_a_clock() -> None:
    sla = FirebellConfig.model_validate(
        {"sla": {"policies": {"major": {"update": "off", "resolve": False}}}}
    ).sla
    assert sla.policy("major").update is None and sla.policy("major").resolve is None
    assert sla.policy("major").acknowledge == timedelta(hours=1)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "FIREBELL_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_explain_prints_the_policy_in_force(
    clean_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = clean_env / "firebell.yml"
    config.write_text(
        "sla: {policies: {sev1: {acknowledge: 5m}, trivial: {resolve: off}}}\n"
        "escalation_policies:\n"
        "  - {name: default, steps: [{targets: [{channel: C0INCIDNT}]}]}\n"
    )
    monkeypatch.setenv("FIREBELL_CONFIG", str(config))
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    assert main(["check-config", "--explain"]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = {line.split()[0]: line.split() for line in lines if line.split()[:1] != []}
    assert table["critical"][1:4] == ["5m", "30m", "4h"]
    assert "default" in table["critical"]
    assert table["major"][1:4] == ["1h", "2h", "1d"]
    assert "off" in table["trivial"]
    assert any(line.startswith("warn the owner at 75%") for line in lines)


def test_nothing_set_assumes_socket_mode(
    clean_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "assuming Socket Mode (the manifest's default); pass --mode http" in err
    assert "SLACK_APP_TOKEN: missing" in err and "SLACK_SIGNING_SECRET" not in err
    assert main(["check-config", "--mode", "http"]) == 2
    err = capsys.readouterr().err
    assert "assuming HTTP mode (--mode http)" in err and "SLACK_SIGNING_SECRET: missing" in err
    assert "SLACK_APP_TOKEN" not in err
