"""`${ENV_VAR}` secrets in firebell.yml: read from the environment, or a config error
that names the variable."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import FirebellConfig


def test_a_secret_written_as_a_variable_is_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FIREBELL_TEST_GITHUB_SECRET", "s3cret-from-env")
    config = FirebellConfig.model_validate(
        {"webhooks": {"github_secret": "${FIREBELL_TEST_GITHUB_SECRET}"}}
    )
    secret = config.webhooks.github_secret
    assert secret is not None and secret.get_secret_value() == "s3cret-from-env"
    literal = FirebellConfig.model_validate({"webhooks": {"pagerduty_secret": "a${b}c"}})
    assert literal.webhooks.pagerduty_secret is not None
    assert literal.webhooks.pagerduty_secret.get_secret_value() == "a${b}c"  # not a whole ${…}


def test_an_unset_variable_is_an_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIREBELL_TEST_UNSET", raising=False)
    with pytest.raises(ValidationError, match="FIREBELL_TEST_UNSET is not set"):
        FirebellConfig.model_validate({"webhooks": {"pagerduty_secret": "${FIREBELL_TEST_UNSET}"}})
