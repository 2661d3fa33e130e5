"""Config errors say, in our words, what a value must be and give an example; the
validation library's wording never reaches the user (issue 18, item 19)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.core.errors import ConfigError

LIBRARY_WORDS = ("should have", "String should", "validation error", "Input should", "Value error")

# Each bad file, and the key and the words its one error must have.
BAD = [
    (
        "api: {tokens: {grafana: {token: abcde}}}",
        "api.tokens.grafana.token: use at least 16 characters, e.g. `openssl rand -hex 16`",
    ),
    ("webhooks: {tokens: {deploy: short}}", "webhooks.tokens.deploy: use at least 16 characters"),
    ("metrics: {token: scrape}", "metrics.token: use at least 16 characters"),
    (
        "webhooks: {tokens: {deploy: change-me-deploy}}",
        "webhooks.tokens.deploy: replace the "
        "placeholder: use at least 16 random characters, e.g. `openssl rand -hex 16`",
    ),
    ("digest: {channel: general}", "digest.channel: must be a Slack channel ID"),
    ("announce: {channel: '#incidents'}", "e.g. `C0INCIDNT`"),
    (
        "admins: [dana]",
        "admins[0]: must be a Slack user ID (U…) or user-group ID (S…), e.g. `U0ADMIN1`",
    ),
    (
        "escalation_policies: [{name: default, steps: []}]",
        "escalation_policies[0].steps: needs at least 1 item",
    ),
    (
        "escalation_policies: [{name: Default, steps: [{targets: [{usergroup: sre}]}]}]",
        "escalation_policies[0].name: must be a name of lowercase letters",
    ),
    ("tick_seconds: soon", "tick_seconds: must be a number, e.g. `5.0`"),
    ("tick_seconds: 0", "tick_seconds: must be more than 0"),
    ("review: {token_budget: 10}", "review.token_budget: must be 1000 or more, e.g. `8000`"),
    ("digest: {channel: C0DIGEST1, at: noon}", "digest.at: must be a time of day"),
    ("digest: {channel: C0DIGEST1, day: monday}", "digest.day: must be one of mon, tue"),
    ("sla: {policies: {sev9: {acknowledge: 5m}}}", "sla.policies.sev9: must be one of"),
    ("alert_routes: [{name: db, source: nagios}]", "alert_routes[0].source: must be one of"),
    (
        "schedules: [{name: p, rotations: [{participants: [bob]}]}]",
        "schedules[0].rotations[0].participants[0]: must be a Slack user ID",
    ),
    (
        "schedules: [{name: p, rotations: [{participants: [U0AAAA1], handoff: monday}]}]",
        "must be a local date and time written YYYY-MM-DDTHH:MM, e.g. `2026-01-05T09:00`",
    ),
    ("announce: {severities: [major]}", "announce.channel: is required: a Slack channel ID"),
    ("triage: {raise_priority: {reports: 1}}", "triage.raise_priority.reports: must be 2 or more"),
    ("paging: {pagerduty_url: nope}", "paging.pagerduty_url: must be an http(s) URL, e.g."),
    ("types: {drill: {}}", "types.drill: must be one of outage, bug"),
    ("chanel_prefix: inc", "chanel_prefix: is not a setting here (did you mean `channel_prefix`?)"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_each_error_names_file_key_and_a_fix(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "firebell.yml"
    path.write_text(text + "\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and expected in message, message
    assert not any(words in message for words in LIBRARY_WORDS), message


def test_the_environment_speaks_our_words_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("SLACK_TIMEOUT_SECONDS", "ten")
    monkeypatch.setenv("OUTBOX_POLL_SECONDS", "0")
    monkeypatch.setenv("SCHEDULER_ENABLED", "perhaps")
    assert main(["check-config"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_TIMEOUT_SECONDS: must be a number, e.g. `10.0`" in err
    assert "OUTBOX_POLL_SECONDS: must be more than 0" in err
    assert "SCHEDULER_ENABLED: must be true or false" in err
    assert not any(words in err for words in LIBRARY_WORDS), err
