"""POST /slack/events answers every request with 2xx or a 4xx that names the problem:
no command is lost to a word in it, and no body, however malformed, gives a 5xx."""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import logging
import time
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from bot.demo.harness import Harness
from sandbox.signing import sign
from tests.helpers import issues, open_modal, people, run

FORM = "application/x-www-form-urlencoded"


async def post(
    h: Harness,
    body: str | bytes,
    content_type: str = FORM,
    *,
    headers: dict[str, str] | None = None,
    signed: bool = True,
) -> tuple[int, Any]:
    """Send a raw body the way Slack would (signed), or not; the status and JSON answer."""
    if isinstance(body, bytes):  # not UTF-8: sign the exact bytes, as Slack signs them
        raw, signature = body, _sign_bytes(h.sandbox.signing_secret, body)
    else:
        raw, signature = body.encode(), sign(h.sandbox.signing_secret, body)
    all_headers = {"Content-Type": content_type, **(signature if signed else {}), **(headers or {})}
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            h.bot_url + "/slack/events", data=io.BytesIO(raw), headers=all_headers
        ) as resp,
    ):
        text = await resp.text()
        return resp.status, json.loads(text) if resp.content_type == "application/json" else text


def _sign_bytes(secret: str, raw: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def interactive(payload: str) -> str:
    return "payload=" + quote(payload)


# -- 1. the word "payload" anywhere in a slash command -----------------------------


async def test_a_command_mentioning_payloads_opens_the_form(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support, "new Webhook payloads dropped")
    assert "Webhook payloads dropped" in json.dumps(view.view)


async def test_a_channel_or_person_named_payload_still_gets_answers(h: Harness) -> None:
    dana, sam, _ = people(h)
    team = h.ws.add_channel("payload-team", dana, sam, h.ws.bot)
    assert "Firebell commands" in await run(h, dana, team, "help")
    payloader = h.ws.add_user("payload-bot", "Payload Person")
    team.members.add(payloader.id)
    assert "Firebell commands" in await run(h, payloader, team, "help")


async def test_a_form_field_holding_the_word_payload_is_not_an_interactive_payload(
    h: Harness,
) -> None:
    dana, _, support = people(h)
    form = h.driver.command_payload(dana, support, "help")
    status, answer = await post(h, urlencode({**form, "payload_hint": "x"}))
    assert status == 200 and "Firebell commands" in answer  # help is plain text


# -- 2. signatures ----------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {"X-Slack-Request-Timestamp": "abc"},
        {"X-Slack-Request-Timestamp": "²"},
        {"X-Slack-Request-Timestamp": "9" * 5000},
        {"X-Slack-Signature": "v0=é"},
        {"X-Slack-Signature": "v0=" + "0" * 64},
    ],
)
async def test_a_bad_signature_is_401_in_json(h: Harness, headers: dict[str, str]) -> None:
    dana, _, support = people(h)
    body = urlencode(h.driver.command_payload(dana, support, "help"))
    assert await post(h, body, headers=headers) == (
        401,
        {"ok": False, "error": "invalid signature"},
    )


async def test_a_missing_signature_is_401(h: Harness) -> None:
    dana, _, support = people(h)
    body = urlencode(h.driver.command_payload(dana, support, "new Secret thing"))
    status, _ = await post(h, body, signed=False)
    assert status == 401 and issues(h.firebell.runtime.db) == []


async def test_a_badly_signed_body_is_never_logged(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    # Bolt's loggers copy the root level when the app is built; INFO is where it logged.
    caplog.set_level(logging.DEBUG, logger="slack_bolt.RequestVerification")
    dana, _, support = people(h)
    body = urlencode(h.driver.command_payload(dana, support, "new customer-secret-4242"))
    status, _ = await post(h, body, headers={"X-Slack-Signature": "v0=" + "1" * 64})
    assert status == 401
    assert not [r for r in caplog.records if "customer-secret-4242" in r.getMessage()]


# -- 3. malformed bodies ------------------------------------------------------------

BLOCK_ACTIONS = {
    "type": "block_actions",
    "user": {"id": "U1"},
    "team": {"id": "T1"},
    "trigger_id": "1.2.3",
    "actions": None,
}


@pytest.mark.parametrize(
    ("body", "content_type", "reason"),
    [
        (interactive("null"), FORM, "payload is not a JSON object"),
        (interactive("[]"), FORM, "payload is not a JSON object"),
        (interactive("{}"), FORM, "payload has no type"),
        (interactive('{"type": 7}'), FORM, "payload has no type"),
        (interactive(json.dumps(BLOCK_ACTIONS)), FORM, "actions"),
        (interactive(json.dumps({**BLOCK_ACTIONS, "actions": []})), FORM, "actions"),
        (
            interactive(json.dumps({**BLOCK_ACTIONS, "actions": [{"value": "x"}]})),
            FORM,
            "action_id",
        ),
        (
            interactive(
                json.dumps({**BLOCK_ACTIONS, "actions": [{"action_id": "a"}], "user": "U1"})
            ),
            FORM,
            "user",
        ),
        (interactive('{"type": "block_actions",'), FORM, "payload is not valid JSON"),
        (interactive("[" * 100_000), FORM, "payload is not valid JSON"),
        (interactive('{"type": "shortcut", "callback_id": "\\ud800"}'), FORM, "Unicode"),
        (
            interactive(json.dumps({"type": "view_submission", "user": {"id": "U1"}, "view": []})),
            FORM,
            "view",
        ),
        (
            interactive(
                json.dumps(
                    {
                        "type": "view_submission",
                        "user": {"id": "U1"},
                        "view": {"callback_id": "report", "state": {"values": {"title": []}}},
                    }
                )
            ),
            FORM,
            "state",
        ),
        (interactive(json.dumps({"type": "shortcut", "team": 5})), FORM, "team"),
        ("null", "application/json", "body is not a JSON object"),
        ('{"type": "event_callback", "event": null}', "application/json", "event"),
        ('{"type": "event_callback", "event": {"type": "app_mention"', "application/json", "JSON"),
        (b"payload=\xff\xfe", FORM, "UTF-8"),
    ],
)
async def test_a_malformed_signed_body_is_400_with_a_reason(
    h: Harness,
    caplog: pytest.LogCaptureFixture,
    body: str | bytes,
    content_type: str,
    reason: str,
) -> None:
    status, answer = await post(h, body, content_type)
    assert status == 400, answer
    assert answer["ok"] is False and reason in answer["error"], answer
    assert not [r for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


async def test_a_malformed_unsigned_body_is_401_first(h: Harness) -> None:
    status, answer = await post(h, interactive("null"), signed=False)
    assert (status, answer) == (401, {"ok": False, "error": "invalid signature"})


async def test_a_huge_body_is_refused_before_it_is_read(h: Harness) -> None:
    huge = interactive(json.dumps({"type": "shortcut", "text": "x" * (3 * 1024 * 1024)}))
    status, answer = await post(h, huge)
    assert status == 413 and answer["ok"] is False and "too large" in answer["error"]


async def test_the_endpoint_still_serves_after_malformed_requests(h: Harness) -> None:
    dana, _, support = people(h)
    for body in (interactive("null"), interactive("{}"), "payload=%7B"):
        assert (await post(h, body))[0] == 400
    assert "Firebell commands" in await run(h, dana, support, "help")
