"""The Jira integration's pure parts: `${ENV}` secrets, the ADF description, field
templates and the words that name the config key to change."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.integrations.jira_adf import issue_document
from bot.integrations.jira_client import JiraFailed
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_errors import explain
from bot.integrations.jira_fields import fill
from sandbox.jira_adf import problems
from storage.models import Issue


def an_issue(**changes: object) -> Issue:
    values: dict[str, object] = {
        "id": 1, "number": 7, "idempotency_key": "k", "title": "<!channel> *boom*",
        "type": "bug", "severity": "critical", "reporter_id": "U1", "service": "checkout",
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }  # fmt: skip
    return Issue(**{**values, **changes})


def test_the_description_is_valid_adf_and_typed_text_stays_text() -> None:
    issue = an_issue(
        description="Click <https://evil.example|here>\n\nsecond paragraph\n\n",
        stack_trace="Traceback\n  File 'x.py'",
        source_permalink="https://slack.example/archives/C1/p1",
    )
    doc = issue_document(issue, "https://firebell.example/issues/INC-7")
    assert problems(doc) == []
    texts = [n for block in doc["content"] for n in block.get("content", [])]
    linked = [n["marks"][0]["attrs"]["href"] for n in texts if n.get("marks")]
    assert linked == [
        "https://firebell.example/issues/INC-7",
        "https://slack.example/archives/C1/p1",
    ]
    assert any(n["text"] == "Click <https://evil.example|here>" and "marks" not in n for n in texts)
    assert {
        "type": "codeBlock",
        "attrs": {},
        "content": [{"type": "text", "text": "Traceback\n  File 'x.py'"}],
    } in doc["content"]


def test_field_templates_are_filled_in_strings_objects_and_lists() -> None:
    issue = an_issue()
    assert fill("{service}/{severity}/{key}", issue) == "checkout/Critical/INC-7"
    assert fill({"value": "{service}"}, issue) == {"value": "checkout"}
    assert fill(["{key}", 3], issue) == ["INC-7", 3]


def test_a_refused_field_names_its_config_key() -> None:
    config = JiraConfig(
        url="https://x.atlassian.net", email="b@x", api_token="t", project="OPS",
        fields={"customfield_10551": "{service}"},
    )  # fmt: skip
    said = explain(
        config,
        JiraFailed(400, [], {"customfield_10551": "cannot be set", "priority": "bad"}),
        "OPS",
    )
    assert "jira.fields.customfield_10551" in said.fix and "jira.priorities" in said.fix
    assert "jira.api_token" in explain(config, JiraFailed(401), "OPS").fix
    assert JiraFailed(429, retry_after=30).transient and not JiraFailed(400).transient
