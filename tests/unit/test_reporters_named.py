"""Everyone who reports an issue is named the same way on every surface: a person as a
mention, a tool by name, someone outside Slack by where they came from, never a ping."""

from __future__ import annotations

import pytest

from bot.core.reporters import external, is_external, is_person, reporter_text, source_of, who


def test_people_tools_and_outside_reporters_are_named_apart() -> None:
    assert reporter_text("U0DANA1") == "<@U0DANA1>"
    assert reporter_text("alertmanager") == "Alertmanager alert"
    assert reporter_text(external("web", "shop")) == "a visitor to shop"
    assert who(external("zendesk", "3612")) == "Zendesk requester 3612"
    assert not is_person("web:shop") and is_external("web:shop")


@pytest.mark.parametrize("identity", ["<!channel>", "a b", "x" * 25, ""])
def test_an_outside_reporter_id_is_never_made_of_markup(identity: str) -> None:
    with pytest.raises(ValueError):
        external("web", identity)
    assert not is_external(f"web:{identity}")


def test_an_issues_source_is_few_values_never_a_requesters_id() -> None:
    """Figures, board filters and the `source` metric label count sources: a label with
    a Zendesk requester's id in it would grow without bound."""
    assert source_of("U0DANA1") == "slack"
    assert source_of(external("web", "shop")) == "embed"
    assert source_of(external("zendesk", "3612")) == "zendesk"
    assert source_of("alertmanager") == "alertmanager"
