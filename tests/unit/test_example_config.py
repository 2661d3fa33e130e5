"""The example firebell.yml in the repository is valid."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config


def test_the_example_config_loads() -> None:
    config = load_config(Path(__file__).resolve().parents[2] / "firebell.example.yml")
    assert config.schedule("primary") is not None
    assert config.choose_policy("critical", "outage", None).name == "default"  # type: ignore[union-attr]
    assert config.digest is not None and config.digest.day == "mon"
    assert config.route_for("alertmanager", {"team": "payments"}).name == "payments"
    assert config.route_for("grafana", {}).name == "default"
