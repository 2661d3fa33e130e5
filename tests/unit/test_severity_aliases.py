"""sev1-sev4 and p1-p4 mean Critical...Trivial wherever a severity is typed: commands,
alert labels, config files. An alert labelled sev1 used to become Major."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import FirebellConfig
from bot.core.domain import Severity, parse_severity
from bot.core.errors import FirebellError
from bot.detection.alerts import read_alertmanager, read_generic
from bot.handlers import command_table
from bot.playbooks.model import Playbook


@pytest.mark.parametrize(
    ("word", "severity"),
    [
        ("sev1", Severity.CRITICAL),
        ("SEV-1", Severity.CRITICAL),
        ("Sev 2", Severity.MAJOR),
        ("sev_3", Severity.MINOR),
        ("sev4", Severity.TRIVIAL),
        ("sev0", Severity.CRITICAL),
        ("P1", Severity.CRITICAL),
        ("p2", Severity.MAJOR),
        ("p3", Severity.MINOR),
        ("p4", Severity.TRIVIAL),
        ("Critical", Severity.CRITICAL),
        ("minor", Severity.MINOR),
    ],
)
def test_each_word_means_one_severity(word: str, severity: Severity) -> None:
    assert parse_severity(word) == severity


@pytest.mark.parametrize("word", ["sev5", "p9", "severe", "", "1"])
def test_other_words_are_not_severities(word: str) -> None:
    assert parse_severity(word) is None


def test_the_severity_command_takes_an_alias_and_says_what_works_otherwise() -> None:
    table = command_table()
    assert table.parse("severity sev1").args.severity == Severity.CRITICAL
    assert table.parse("severity P3").args.severity == Severity.MINOR
    with pytest.raises(FirebellError, match=r"`sev9` is not a severity: use trivial, minor"):
        table.parse("severity sev9")


def test_an_alert_labelled_sev1_is_critical_not_major() -> None:
    body = {
        "version": "4",
        "status": "firing",
        "alerts": [
            {"status": "firing", "labels": {"alertname": "Down", "severity": "sev1"}},
            {"status": "firing", "labels": {"alertname": "Slow", "severity": "P3"}},
        ],
    }
    assert [a.severity for a in read_alertmanager(body)] == [Severity.CRITICAL, Severity.MINOR]
    generic = read_generic({"fingerprint": "x", "title": "t", "severity": "sev2"})
    assert generic[0].severity == Severity.MAJOR


def test_config_and_playbooks_accept_aliases_and_still_refuse_nonsense() -> None:
    config = FirebellConfig.model_validate(
        {
            "sla": {"policies": {"sev1": {"acknowledge": "5m"}, "p4": {"resolve": "30d"}}},
            "alert_routes": [{"name": "db", "labels": {"team": "db"}, "severity": "sev2"}],
        }
    )
    assert config.sla.policy("critical").acknowledge is not None
    assert config.sla.policy("trivial").resolve is not None
    assert config.alert_routes[0].severity == Severity.MAJOR
    book = Playbook.model_validate({"name": "p", "applies_to": {"severities": ["sev1", "p2"]}})
    assert book.applies_to.severities == [Severity.CRITICAL, Severity.MAJOR]
    with pytest.raises(ValidationError, match="critical"):
        FirebellConfig.model_validate({"sla": {"policies": {"sev7": {"acknowledge": "5m"}}}})
