"""contrib/systemd/firebell.service: systemd accepts it as written, it keeps the
hardening and paths the README describes, and READY=1 reaches a NOTIFY_SOCKET."""

from __future__ import annotations

import logging
import shutil
import socket
import subprocess
from pathlib import Path

import pytest

from bot.serving.notify import notify
from tests.processes import FIREBELL

UNIT = Path(__file__).parents[2] / "contrib" / "systemd" / "firebell.service"
INSTALLED_AT = "/opt/firebell/bin/firebell"


def unit_keys() -> dict[str, list[str]]:
    """`Section.Key` -> its values in order (systemd keys repeat, as Environment= does,
    which configparser refuses)."""
    keys: dict[str, list[str]] = {}
    section = ""
    for line in UNIT.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        keys.setdefault(f"{section}.{key}", []).append(value)
    return keys


def test_the_unit_is_hardened_and_keeps_its_state_where_it_says() -> None:
    keys = unit_keys()
    assert keys["Service.Type"] == ["notify"] and keys["Service.NotifyAccess"] == ["main"]
    assert keys["Service.ExecStart"][0].startswith(f"{INSTALLED_AT} serve ")
    assert keys["Service.DynamicUser"] == ["yes"]
    assert keys["Service.ProtectSystem"] == ["strict"]
    assert keys["Service.NoNewPrivileges"] == ["yes"]
    assert keys["Service.EnvironmentFile"] == ["/etc/firebell/firebell.env"]
    # The SQLite file is in the one directory ProtectSystem=strict leaves writable.
    assert keys["Service.StateDirectory"] == ["firebell"]
    assert "DATABASE_URL=sqlite:////var/lib/firebell/firebell.db" in keys["Service.Environment"]
    assert keys["Service.RestartPreventExitStatus"] == ["2"]  # a config error stays down
    assert keys["Install.WantedBy"] == ["multi-user.target"]


@pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed here"
)
def test_systemd_analyze_verify_accepts_the_unit(tmp_path: Path) -> None:
    # verify checks that ExecStart's program exists: point it at this test's firebell.
    unit = tmp_path / "firebell.service"
    unit.write_text(UNIT.read_text().replace(INSTALLED_AT, FIREBELL))
    found = subprocess.run(
        ["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=30
    )
    # Unknown keys and bad values are only warnings (exit 0): no output at all is the bar.
    assert (found.returncode, found.stdout + found.stderr) == (0, "")


def test_ready_reaches_the_notify_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(tmp_path / "notify"))
        systemd.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "notify"))
        assert notify("READY=1")
        assert systemd.recv(100) == b"READY=1"

    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(f"\0firebell-test-{tmp_path.name}")  # an abstract socket, as systemd uses
        systemd.settimeout(5)
        monkeypatch.setenv("NOTIFY_SOCKET", f"@firebell-test-{tmp_path.name}")
        assert notify("READY=1")
        assert systemd.recv(100) == b"READY=1"

    monkeypatch.setenv("NOTIFY_SOCKET", str(tmp_path / "gone"))  # systemd went away
    with caplog.at_level(logging.WARNING):
        assert not notify("READY=1")
    assert "cannot tell systemd READY=1 through NOTIFY_SOCKET" in caplog.text

    monkeypatch.delenv("NOTIFY_SOCKET")  # not under systemd: nothing to do
    assert not notify("READY=1")
