"""The modal's values become a draft, or errors keyed by the field at fault."""

from __future__ import annotations

from typing import Any

import pytest

from bot.core.domain import IssueType, Priority, Severity
from bot.incidents.drafts import Source
from bot.incidents.report_form import FormErrors, parse_fields, parse_report


def values(**fields: Any) -> dict[str, Any]:
    """Modal state as Slack sends it; text for inputs, ("select", v) or ("check", [..])."""
    state: dict[str, Any] = {}
    for name, value in fields.items():
        if isinstance(value, tuple) and value[0] == "select":
            element = {"type": "static_select", "selected_option": {"value": value[1]}}
        elif isinstance(value, tuple) and value[0] == "check":
            element = {"type": "checkboxes", "selected_options": [{"value": v} for v in value[1]]}
        else:
            element = {"type": "plain_text_input", "value": value}
        state[name] = {name: element}
    return state


BASE = {"title": "Login broken", "type": ("select", "bug"), "severity": ("select", "major")}


def test_a_complete_report_becomes_a_draft() -> None:
    draft = parse_report(
        values(
            **BASE,
            priority=("select", "high"),
            service="auth",
            users_affected="1,200",
            trace_id="abc-123:9",
            private=("check", ["private"]),
        ),
        reporter_id="U1",
        source=Source("C1", "1.2"),
    )
    assert draft.type is IssueType.BUG and draft.severity is Severity.MAJOR
    assert draft.priority is Priority.HIGH and draft.users_affected == 1200
    assert draft.private and draft.source == Source("C1", "1.2") and draft.reporter_id == "U1"


def test_optional_fields_may_be_empty() -> None:
    draft = parse_report(values(**BASE, users_affected="", service="  "), reporter_id="U1")
    assert draft.priority is None and draft.users_affected is None and draft.service is None
    assert not draft.private


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("title", "", "short title"),
        ("title", "x" * 151, "150 characters or fewer (it has 151)"),
        ("severity", ("select", "meh"), "Trivial, Minor, Major, Critical"),
        ("type", ("select", "ufo"), "Outage, Bug, Performance, Security, UI/UX"),
        ("users_affected", "-3", "whole number"),
        ("users_affected", "2.5", "whole number"),
        ("users_affected", "99999999999", "check the number"),
        ("users_affected", "²", "whole number"),
        ("users_affected", "1²", "whole number"),
        ("users_affected", "١٢", "whole number"),
        ("users_affected", "12,00", "whole number"),
        ("users_affected", "1,,200", "whole number"),
        ("users_affected", "1e3", "whole number"),
        ("users_affected", "9" * 5000, "check the number"),
        ("trace_id", "a b", "no spaces"),
        ("description", "d" * 3001, "3000 characters"),
    ],
)
def test_each_bad_field_names_its_problem(field: str, value: Any, message: str) -> None:
    with pytest.raises(FormErrors) as caught:
        parse_report(values(**{**BASE, field: value}), reporter_id="U1")
    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field]


def test_missing_required_choices_are_all_reported_at_once() -> None:
    with pytest.raises(FormErrors) as caught:
        parse_report(values(title="x"), reporter_id="U1")
    assert caught.value.errors == {"type": "Choose one.", "severity": "Choose one."}


@pytest.mark.parametrize(
    ("typed", "number"),
    [("120", 120), ("1,200", 1200), ("1_200_000", 1_200_000), ("007", 7), ("0", 0)],
)
def test_users_affected_takes_ascii_digits_grouped_by_thousands(typed: str, number: int) -> None:
    draft = parse_report(values(**BASE, users_affected=typed), reporter_id="U1")
    assert draft.users_affected == number


def test_the_web_forms_plain_values_pass_the_same_rules() -> None:
    plain = {"title": " Login broken ", "type": "bug", "severity": "major", "private": True}
    draft = parse_fields({**plain, "users_affected": "1,200", "service": ""}, reporter_id="U1")
    assert draft.title == "Login broken" and draft.private and draft.users_affected == 1200
    assert draft.service is None and draft.priority is None
    with pytest.raises(FormErrors) as caught:
        parse_fields({**plain, "severity": "", "trace_id": "a b"}, reporter_id="U1")
    assert caught.value.errors["severity"] == "Choose one."
    assert caught.value.errors["trace_id"].startswith("A trace or correlation ID has no spaces")
    assert list(caught.value.errors) == ["severity", "trace_id"]
