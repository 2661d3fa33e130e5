"""Review core: redaction, condensing to a budget, the template, Markdown, Slack limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core.ai.prompt import Facts, Line, build_prompt, tokens
from bot.core.redact import redact
from bot.reviews.content import (
    INSTRUCTIONS,
    NOT_RECORDED,
    ActionItem,
    ReviewContent,
    TimelineEntry,
)
from bot.reviews.markdown import to_markdown
from bot.reviews.template import template_review
from bot.reviews.views import edit_modal, review_message
from sandbox.blockkit import message_problems, view_problems

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_secrets_are_redacted_before_anything_leaves() -> None:
    text = (
        "token xoxb-1234567890-abcdefghij and sk-abcdefghijklmnopqrstuv, "
        "AKIAABCDEFGHIJKLMNOP, ghp_abcdefghijklmnopqrstuvwxyz123456, "
        "Authorization: Bearer abc.def.ghi123456, password=hunter2, api_key: 'q w e', "
        "eyJhbGciOiJIUzI1.eyJzdWIiOiIxMjM0.SflKxwRJSMeKKF2QT4fw, "
        "postgres://admin:s3cret@db:5432/x, mail ops@example.com"
    )
    cleaned = redact(text)
    for secret in (
        "xoxb-1234567890",
        "sk-abcdef",
        "AKIAABCD",
        "ghp_abcd",
        "abc.def.ghi",
        "hunter2",
        "q w e",
        "eyJhbGci",
        "s3cret",
    ):
        assert secret not in cleaned, secret
    assert "password=[REDACTED]" in cleaned and "admin:[REDACTED]@db" in cleaned
    assert "ops@example.com" in cleaned  # emails stay unless configured
    assert "ops@example.com" not in redact(text, emails=True)


def facts(chatter: int = 0, events: int = 5) -> Facts:
    lines = [Line(START + timedelta(minutes=i), "<@U1>", f"moved {i}", True) for i in range(events)]
    lines += [
        Line(
            START + timedelta(seconds=30 * i),
            f"<@U{i % 7}>",
            f"chatter number {i} " + "x" * 80,
            False,
        )
        for i in range(chatter)
    ]
    return Facts(
        issue={
            "key": "INC-7",
            "title": "Checkout down",
            "severity": "critical",
            "type": "outage",
            "reporter": "<@U9>",
            "created_at": "2026-01-05 09:00 UTC",
            "users_affected": 120,
            "description": "card payments fail",
        },
        sla={"time_to_acknowledge": "4m", "time_to_fix": "1h 5m", "breaches": "none"},
        answers={"customer-impact": "EU card payments", "root-cause": "timeout set to 50 ms"},
        participants={"U1": "commander, assignee"},
        lines=lines,
    )


def test_a_long_timeline_is_condensed_to_the_budget_keeping_what_matters() -> None:
    prompt = build_prompt(facts(chatter=4000, events=30), budget=8000, instructions=INSTRUCTIONS)
    user = prompt.messages[1]["content"]
    assert prompt.tokens <= 8000
    assert prompt.condensed > 3000
    for i in range(30):
        assert f"moved {i}" in user  # status changes and pins survive
    assert "earlier messages and events from 09:00" in user  # oldest chatter folded first
    assert "chatter number 3999" in user  # the newest chatter is kept


def test_a_short_timeline_is_sent_whole() -> None:
    prompt = build_prompt(facts(chatter=20), budget=8000, instructions=INSTRUCTIONS)
    assert prompt.condensed == 0
    assert "chatter number 19" in prompt.messages[1]["content"]
    assert tokens("abcd" * 100) == 101


def test_the_template_is_deterministic_and_uses_only_recorded_facts() -> None:
    first, second = template_review(facts()), template_review(facts())
    assert first == second
    assert first.customer_impact == "120 users affected. EU card payments"
    assert first.root_cause == "timeout set to 50 ms"
    assert "Time to acknowledge: 4m" in first.detection
    assert first.went_well == ["Every SLA clock was met."]
    empty = template_review(Facts(issue=facts().issue, sla={}, answers={}, participants={}))
    assert empty.root_cause == NOT_RECORDED


def big_review() -> ReviewContent:
    long = "word " * 700
    return ReviewContent(
        summary=long[:3000],
        customer_impact=long[:3000],
        detection=long[:3000],
        response=long[:3000],
        resolution=long[:3000],
        timeline=[TimelineEntry(time="2026-01-05 09:00", event="e" * 500) for _ in range(60)],
        root_cause=long[:3000],
        contributing_factors=["f" * 300] * 20,
        went_well=["w"] * 20,
        went_badly=["b"] * 20,
        lessons_learned=["l" * 200] * 20,
        action_items=[ActionItem(title="t" * 200, owner="U1") for _ in range(20)],
    )


def test_the_largest_review_stays_within_slacks_limits() -> None:
    _text, blocks = review_message(
        "INC-7", 7, big_review(), source="model", note=None, status="draft"
    )
    assert message_problems(blocks) == [] and len(blocks) <= 50
    assert "Publish" in str(blocks[-1])
    assert view_problems(edit_modal(7, "INC-7", big_review())) == []


def test_markdown_has_every_section() -> None:
    document = to_markdown(
        "INC-7", "Checkout down", template_review(facts()), source="template", status="draft"
    )
    assert document.startswith("# Post-incident review: INC-7 Checkout down")
    assert "_Draft; template draft, not AI-written._" in document
    for heading in (
        "## Summary",
        "## Customer impact",
        "## Detection",
        "## Timeline",
        "## Root cause",
        "## Action items",
        "## Lessons learned",
    ):
        assert heading in document
