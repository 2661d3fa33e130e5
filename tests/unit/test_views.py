"""Every view Firebell builds passes Slack's Block Kit limits, even with extreme input."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.incidents.card import issue_card
from bot.incidents.drafts import Source
from bot.incidents.report_modal import ReportPrefill, decode_metadata, encode_metadata, report_modal
from sandbox.blockkit import message_problems, view_problems
from storage.models import Issue


def big_issue(**overrides: object) -> Issue:
    fields: dict[str, object] = {
        "id": 1,
        "number": 123456,
        "idempotency_key": "k",
        "title": "T" * 150,
        "type": "ui/ux",
        "severity": "critical",
        "priority": "high",
        "service": "s" * 80,
        "environment": "e" * 3000,
        "description": "<d&>" * 750,
        "stack_trace": "x" * 3000,
        "trace_id": "t" * 200,
        "users_affected": 10**9,
        "private": True,
        "reporter_id": "U1",
        "source_permalink": "https://example.slack.com/archives/C1/p1" + "9" * 400,
        "created_at": datetime(2026, 1, 1, tzinfo=UTC),
    }
    fields.update(overrides)
    return Issue(**fields)  # type: ignore[arg-type]


def test_card_with_every_field_at_its_limit_is_valid() -> None:
    text, blocks = issue_card(big_issue())
    assert message_problems(blocks) == []
    header = blocks[0]["text"]["text"]
    assert header.startswith("INC-123456: TTT") and len(header) == 150 and header.endswith("…")
    description = next(b for b in blocks if "*Description*" in b.get("text", {}).get("text", ""))
    assert "&lt;d&amp;&gt;" in description["text"]["text"]  # user text cannot inject mentions
    assert "INC-123456" in text


def test_minimal_card_shows_what_is_unset() -> None:
    _, blocks = issue_card(
        big_issue(
            priority=None,
            service=None,
            environment=None,
            description=None,
            stack_trace=None,
            trace_id=None,
            users_affected=None,
            private=False,
            source_permalink=None,
        )
    )
    assert message_problems(blocks) == []
    field_texts = [f["text"] for f in blocks[1]["fields"]]
    assert "*Priority (engineering)*\nNot set" in field_texts


def test_report_modal_is_valid_empty_and_prefilled_to_the_limits() -> None:
    assert view_problems(report_modal(ReportPrefill())) == []
    source = Source("C1", "1700000000.000100", "https://x.slack.com/archives/C1/p1" + "1" * 900)
    view = report_modal(
        ReportPrefill(
            title="t" * 150, description="m" * 40000, source=source, source_channel_name="support"
        )
    )
    assert view_problems(view) == []
    description = next(b for b in view["blocks"] if b.get("block_id") == "description")
    assert len(description["element"]["initial_value"]) == 3000
    assert decode_metadata(view["private_metadata"]) == source


def test_metadata_survives_a_round_trip_and_garbage_is_ignored() -> None:
    source = Source("C9", "1.5", None)
    assert decode_metadata(encode_metadata(source)) == source
    assert decode_metadata(encode_metadata(None)) is None
    assert decode_metadata("not json") is None
    assert decode_metadata('{"source": {"channel": 1}}') is None


def test_a_channel_escalation_target_is_not_told_a_private_title() -> None:
    from types import SimpleNamespace

    from bot.sla.views import broadcast_text

    issue = SimpleNamespace(
        key="INC-7",
        title="Payroll export leaks salaries",
        severity="critical",
        private=True,
        channel_id="G0000001",
    )
    text = broadcast_text(issue, "")
    assert "INC-7" in text and "Payroll" not in text and "a private issue" in text
    issue.private = False
    assert "Payroll export leaks salaries" in broadcast_text(issue, "")
