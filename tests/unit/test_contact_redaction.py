"""Customers' e-mail addresses and phone numbers stay out of the model's prompt (by
default), while the numbers an incident is told with stay in it.

Decided: a phone number is recognised by how it is written (a `+` and country code, a
bracketed area code, 3-3-4 groups, or a trunk 0 and separated groups), never by its digits
alone, so a bare run of digits (an 8-digit order id, a Slack ts, an epoch, a port) stays.
"""

from __future__ import annotations

import pytest

from bot.core.ai.prompt import build_prompt
from bot.core.redact import redact
from bot.reviews.content import INSTRUCTIONS
from tests.unit.test_redaction_corpus import facts_with

# (the text, the contact details in it): none may reach the prompt.
CONTACTS = [
    ("Customer jane.doe@bigcorp.com cannot pay", ["jane.doe@bigcorp.com"]),
    (
        "Reply to <mailto:ops+alerts@shop.example.co.uk|ops+alerts@shop.example.co.uk>",
        ["ops+alerts"],
    ),
    ("UK office: +44 20 7946 0958 (ask for Jane)", ["7946 0958", "7946"]),
    ("Call her back on (555) 123-4567 after 10:00", ["123-4567"]),
    ("Berlin desk +49 30 901820, order 88812345", ["901820"]),
    ("US: +1 (555) 123-4567; Tokyo: +81-3-1234-5678", ["123-4567", "1234-5678"]),
    ("Paris +33 1 42 68 53 00 and compact +4930901820", ["42 68 53 00", "4930901820"]),
    ("Mobile 07700 900123, landline 020 7946 0958", ["900123", "7946 0958"]),
    (
        "London +44 (0)20 7946 0958, NANP 555-123-4567 or 555.123.4567",
        ["7946", "123-4567", "123.4567"],
    ),
    ("The customer rang at 09:14 from +44 20 7946 0958, 2 minutes before the alert", ["7946"]),
]

# Numbers an incident is told with: they must reach the model unchanged.
NUMBERS = [
    "checkout-api 2.3.1 went out at 09:12; v10.2.33 of the SDK is unaffected",
    "HTTP 500 and 502 from 203.0.113.7 and 10.0.0.1:5432",
    "Order 88812345 and order 12345678 failed; 1,200 users and +15 % errors",
    "2026-01-05T09:14:03Z, 2026-01-05 09:14 UTC, 05-01-2026, 14 minutes",
    "Thread https://acme.slack.com/archives/C07QK2M3XYZ/p1736067600123456 ts 1736067600.123456",
    "request 3f2b6c1e-9a4d-4e8b-b1c7-5d0e2f6a8b9c, trace 4bf92f3577b34da6a3ce929d0e0e4736",
    "<@U0000002> paged <@U0000003> (+1 500 errors since), ticket 555-1234",
    "deployed a94a8fe5ccb19ba61c4c0873d391e987982fbbd3 to eu-west-1, p99 1.25 s, 0.1% errors",
]


def _prompt(text: str, **config: bool) -> str:
    prompt = build_prompt(facts_with(text), budget=8000, instructions=INSTRUCTIONS, **config)
    return "\n".join(message["content"] for message in prompt.messages)


@pytest.mark.parametrize(("text", "details"), CONTACTS, ids=[c[0][:30] for c in CONTACTS])
def test_no_contact_detail_reaches_the_prompt(text: str, details: list[str]) -> None:
    sent = _prompt(text)
    for detail in details:
        assert detail not in sent, (detail, sent)
    assert "[EMAIL]" in sent or "[PHONE]" in sent


@pytest.mark.parametrize("text", NUMBERS)
def test_the_numbers_of_an_incident_are_kept(text: str) -> None:
    assert redact(text, emails=True, phones=True) == text
    assert text in _prompt(text)


def test_contacts_stay_when_the_review_config_lets_them() -> None:
    text = "jane.doe@bigcorp.com, +44 20 7946 0958"
    assert text in _prompt(text, redact_emails=False, redact_phone_numbers=False)
    assert "jane.doe@bigcorp.com, [PHONE]" in _prompt(text, redact_emails=False)
    assert redact(text) == text  # the log keeps them: only the model's door asks


def test_a_long_run_of_digits_after_a_plus_is_not_re_split() -> None:
    """The digit runs are possessive: this line is one pass, not thousands of splittings
    (no seconds bound: a failing pattern here hangs, it does not slow down a little)."""
    text = ("+1" + "7" * 60 + "x ") * 2000
    assert redact(text, phones=True) == text
