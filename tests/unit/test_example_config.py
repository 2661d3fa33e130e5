"""The example firebell.yml is complete and valid, the configuration reference is current,
and the manifest's HTTP-mode comment points at lines that exist (issue 18, item 21)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.config import FirebellConfig, load_config
from bot.config_docs import COMMAND, reference
from bot.core.errors import ConfigError

ROOT = Path(__file__).resolve().parents[2]


# The example keeps its secrets in the environment (`${NAME}`), as a real one should.
ZENDESK_SECRETS = ("ZENDESK_API_TOKEN", "ZENDESK_WEBHOOK_SECRET")
JIRA_SECRETS = ("JIRA_API_TOKEN", "JIRA_WEBHOOK_SECRET")


def test_the_example_config_loads(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ZENDESK_SECRETS + JIRA_SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    config = load_config(ROOT / "firebell.example.yml")
    assert config.zendesk is not None
    assert config.zendesk.api_token.get_secret_value() == "value-of-zendesk_api_token"
    assert config.schedule("primary") is not None
    assert config.choose_policy("critical", "outage", None).name == "default"  # type: ignore[union-attr]
    assert config.digest is not None and config.digest.day == "mon"
    assert config.route_for("alertmanager", {"team": "payments"}).name == "payments"
    assert config.route_for("grafana", {}).name == "default"


def test_a_secret_missing_from_the_environment_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in JIRA_SECRETS:
        monkeypatch.setenv(name, f"value-of-{name.lower()}")
    for name in ZENDESK_SECRETS:
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as refused:
        load_config(ROOT / "firebell.example.yml")
    lines = str(refused.value).splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "zendesk.api_token: ZENDESK_API_TOKEN is not set in the environment "
        "(the file says ${ZENDESK_API_TOKEN})",
        "zendesk.webhook_secret: ZENDESK_WEBHOOK_SECRET is not set in the environment "
        "(the file says ${ZENDESK_WEBHOOK_SECRET})",
    ]


def test_the_example_has_every_top_level_section() -> None:
    written = yaml.safe_load((ROOT / "firebell.example.yml").read_text())
    commented = {"playbooks_dir"}  # a folder the reader may not have
    assert set(FirebellConfig.model_fields) - commented == set(written)


def test_the_configuration_reference_is_current() -> None:
    committed = (ROOT / "docs/configuration.md").read_text()
    assert committed == reference(), f"docs/configuration.md is out of date: run `{COMMAND}`"
    for key in FirebellConfig.model_fields:
        assert f"| `{key}` |" in committed


def test_the_manifest_names_each_url_for_http_mode() -> None:
    text = (ROOT / "manifest.yml").read_text()
    http = yaml.safe_load(
        text.replace("# url: ", "url: ").replace("# request_url: ", "request_url: ")
    )
    url = "https://<your-host>/slack/events"
    assert http["features"]["slash_commands"][0]["url"] == url
    assert http["settings"]["event_subscriptions"]["request_url"] == url
    assert http["settings"]["interactivity"]["request_url"] == url
