"""Hundreds of hostile requests at POST /slack/events, over HTTP: never a 5xx, never a
traceback, and the signature decides first.

A seeded random.Random builds every request from real payloads (a slash command, the
card's buttons, the report modal, shortcuts, events) and breaks them: wrong types in
`actions`, `view`, `event` and the rest, malformed or non-object `payload` JSON,
nesting thousands deep, lone surrogates and NULs, huge strings and numbers, bodies
over 1 MiB, too many form fields, wrong content types. Most are signed with the
workspace's secret (sandbox/signing.py); the rest are signed badly and must be 401.
"""

from __future__ import annotations

import asyncio
import copy
import hashlib
import hmac
import io
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlencode

import aiohttp
import pytest

from bot.core.ids import SLASH_COMMAND, Action, Callback
from bot.demo.harness import Harness, running
from bot.handlers import command_table
from sandbox.signing import sign
from tests.helpers import PATIENT, bot_messages, channel_of, file_report, open_modal, people
from tests.hostile_json import Raw, dumps, nested, paths, put, swap

SEED = 20261124
REQUESTS = 600
MAX_BODY_BYTES = 1024 * 1024  # bot/core/slack_http.py
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"

HOSTILE_VALUES: list[Any] = [
    *[None, True, False, 0, -1, 2**64, 10**300, 1.5e308, -0.0],
    *["", " ", "\ud800", "a\udfffb", "nul\x00here", "é" * 300, "x" * 5000, "<@U0>", "INC-0"],
    *["INC-99999999999999999999", "9" * 5000, "null", "{}", "[]", "payload"],
    *[[], {}, [None], [{}], [[]], {"id": None}, {"id": 7}, {"id": ["U1"]}, {"\ud800": "k"}],
    *[{"type": None}, {"values": None}, {"values": {"b": None}}, {"values": {"b": {"a": 1}}}],
]


@dataclass
class Shot:
    kind: str
    body: str | bytes
    content_type: str = FORM
    signed: bool = True
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Real:
    """What the hostile requests are made from: real people, channels and values."""

    user: str
    channel: str
    team: str
    buttons: list[dict[str, str]]  # action_id, value, block_id of buttons Firebell posted
    view: dict[str, Any]  # the report modal, as opened


class Builder:
    """Builds the requests; every choice comes from one seeded generator."""

    def __init__(self, seed: int, real: Real) -> None:
        self.rng = random.Random(seed)
        self.real = real
        self.kinds: list[Callable[[], Shot]] = [
            self.wrong_types,
            self.wrong_types,
            self.targeted,
            self.targeted,
            self.bad_payload_json,
            self.deep,
            self.bad_text,
            self.huge,
            self.bad_form,
            self.content_type,
            self.command,
            self.badly_signed,
        ]

    # -- real payloads ---------------------------------------------------------------
    def _user(self) -> dict[str, str]:
        return {"id": self.real.user, "name": "dana", "team_id": self.real.team}

    def _channel(self) -> dict[str, str]:
        return {"id": self.real.channel, "name": "support"}

    def block_actions(self) -> dict[str, Any]:
        if self.real.buttons and self.rng.random() < 0.8:
            button = dict(self.rng.choice(self.real.buttons))
        else:
            button = {"action_id": self.rng.choice(list(Action)).value, "value": "1"}
        return {
            "type": "block_actions",
            "team": {"id": self.real.team},
            "user": self._user(),
            "api_app_id": "A0SANDBOX",
            "trigger_id": "1.2.3",
            "container": {"type": "message", "channel_id": self.real.channel},
            "channel": self._channel(),
            "message": {"type": "message", "ts": "1.000001", "text": "card", "user": "UBOT"},
            "response_url": "http://127.0.0.1:9/response",
            "actions": [{**button, "type": "button", "action_ts": "1.2"}],
        }

    def view_submission(self) -> dict[str, Any]:
        view = copy.deepcopy(self.real.view)
        values: dict[str, Any] = {}
        for block in view.get("blocks", []):
            element = block.get("element")
            if block.get("type") == "input" and isinstance(element, dict):
                values[block["block_id"]] = {
                    element["action_id"]: {"type": element.get("type"), "value": "Checkout down"}
                }
        callback = self.rng.choice([view.get("callback_id", ""), *list(Callback)])
        view.update(
            {"state": {"values": values}, "callback_id": str(callback), "hash": "1.a"},
        )
        kind = self.rng.choice(["view_submission", "view_submission", "view_closed"])
        return {"type": kind, "team": {"id": self.real.team}, "user": self._user(), "view": view}

    def shortcut(self) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "type": "shortcut",
            "callback_id": Callback.DECLARE_SHORTCUT.value,
            "trigger_id": "1.2.3",
            "team": {"id": self.real.team},
            "user": self._user(),
        }
        if self.rng.random() < 0.5:
            payload.update(
                type="message_action",
                callback_id=Callback.FILE_ISSUE_SHORTCUT.value,
                channel=self._channel(),
                message={"type": "message", "ts": "1.000001", "text": "it broke", "user": "U1"},
                response_url="http://127.0.0.1:9/response",
            )
        return payload

    def event(self) -> dict[str, Any]:
        event = self.rng.choice(
            [
                {
                    "type": "app_mention",
                    "user": self.real.user,
                    "text": "<@UBOT> help",
                    "ts": "1.3",
                },
                {
                    "type": "reaction_added",
                    "user": self.real.user,
                    "reaction": "pushpin",
                    "item": {"type": "message", "channel": self.real.channel, "ts": "1.000001"},
                },
                {"type": "app_home_opened", "user": self.real.user, "tab": "home"},
                {"type": "message", "user": self.real.user, "text": "hi", "ts": "1.2"},
            ]
        )
        event = {**event, "channel": self.real.channel, "event_ts": "1.2"}
        return {
            "type": "event_callback",
            "team_id": self.real.team,
            "api_app_id": "A0SANDBOX",
            "event": event,
            "event_id": f"Ev{self.rng.randrange(10**9)}",
            "event_time": 1767600000,
            "authorizations": [{"team_id": self.real.team, "user_id": "UBOT", "is_bot": True}],
        }

    def interactive(self) -> dict[str, Any]:
        return self.rng.choice([self.block_actions, self.view_submission, self.shortcut])()

    def any_payload(self) -> dict[str, Any]:
        return self.rng.choice([self.interactive, self.interactive, self.event])()

    # -- encoding ------------------------------------------------------------------
    def encode(self, kind: str, payload: dict[str, Any], raws: Sequence[str] = ()) -> Shot:
        text = dumps(payload, raws)
        if payload.get("type") == "event_callback" or kind == "json":
            return Shot(kind, text, JSON)
        return Shot(kind, "payload=" + quote(text, safe=""))

    def mutated(self, kind: str, payload: dict[str, Any], values: list[Any], where: str) -> Shot:
        """Swap one to three values at paths under `where` (or anywhere) for hostile ones."""
        places = [p for p in paths(payload) if where in map(str, p)] or paths(payload)
        return self.encode(kind, payload, swap(self.rng, payload, places, values))

    # -- the kinds of hostile request ------------------------------------------------
    def wrong_types(self) -> Shot:
        return self.mutated("wrong_types", self.any_payload(), HOSTILE_VALUES, "")

    def targeted(self) -> Shot:
        """Wrong types exactly where bolt routes and our listeners read."""
        payload = self.any_payload()
        where = {"block_actions": "actions", "event_callback": "event"}.get(payload["type"], "")
        where = where or ("view" if "view" in payload else "user")
        if self.rng.random() < 0.3:
            put(payload, (where,), copy.deepcopy(self.rng.choice(HOSTILE_VALUES)))
            return self.encode("targeted", payload)
        return self.mutated("targeted", payload, HOSTILE_VALUES, where)

    def bad_payload_json(self) -> Shot:
        good = json.dumps(self.interactive())
        text = self.rng.choice(
            [
                good[: self.rng.randrange(len(good))],
                good + "}",
                good.replace('"', "'"),
                "",
                "null",
                "[]",
                '"just a string"',
                "42",
                "NaN",
                '{"type": NaN}',
                '{"type": "block_actions", "actions": [1e400]}',
                "{" + "9" * 5000 + "}",
                '{"type": 1}',
                '{"type": ""}',
                '{"a": 1} {"b": 2}',
            ]
        )
        if self.rng.random() < 0.3:
            return Shot("bad_payload_json", text, JSON)
        return Shot("bad_payload_json", "payload=" + quote(text, safe=""))

    def deep(self) -> Shot:
        depth = self.rng.choice([33, 100, 999, 1000, 1500, 5000, 20000])
        if self.rng.random() < 0.3:
            body = (
                nested(depth)
                if self.rng.random() < 0.5
                else '{"type": "x", "a": ' + nested(depth) + "}"
            )
            return Shot("deep", "payload=" + quote(body) if self.rng.random() < 0.5 else body, JSON)
        return self.mutated("deep", self.any_payload(), [Raw(nested(depth))], "")

    def bad_text(self) -> Shot:
        roll = self.rng.random()
        if roll < 0.2:  # a surrogate or invalid UTF-8 as raw bytes
            good = json.dumps(self.any_payload()).encode()
            bad = self.rng.choice([b"\xed\xa0\x80", b"\xff", b"\xc0\xaf", b"\x00"])
            return Shot("bad_text", good.replace(b'"', b'"' + bad, 2), JSON)
        if roll < 0.4:  # percent-encoded in a form: decoded by the server
            bad = self.rng.choice(["%ED%A0%80", "%FF", "%00", "%C0%AF", "%F4%90%80%80"])
            good = "payload=" + quote(json.dumps(self.interactive()), safe="")
            at = self.rng.randrange(len("payload="), len(good))
            at = good.rfind("%", 0, at) if "%" in good[at - 2 : at + 1] else at
            return Shot("bad_text", good[:at] + bad + good[at:])
        values = ["\ud800", "\udfff", "ok\ud83d", "\x00", "a\x00b", {"\udc00": "v"}, "\ufffe"]
        return self.mutated("bad_text", self.any_payload(), values, "")

    def huge(self) -> Shot:
        size = self.rng.choice(
            [10_000, 200_000, 900_000, MAX_BODY_BYTES - 200, MAX_BODY_BYTES + 10]
        )
        filler = self.rng.choice(["x", "é", "\u4e2d", "\\", '"'])
        payload = self.any_payload()
        value: Any = filler * (size // max(1, len(json.dumps(filler).encode()) - 2) // 3)
        if self.rng.random() < 0.3:
            value = Raw("9" * self.rng.choice([4300, 4301, 100_000]))
        elif self.rng.random() < 0.2:
            value = [{"action_id": "x" * 1000, "value": "y"}] * (size // 5000)
        return self.mutated("huge", payload, [value], "")

    def bad_form(self) -> Shot:
        roll = self.rng.randrange(5)
        if roll == 0:  # too many fields
            fields = [(f"f{i}", "v") for i in range(self.rng.choice([99, 100, 101, 5000]))]
            return Shot("bad_form", urlencode(fields))
        if roll == 1:  # the payload field twice: the last one wins
            good = json.dumps(self.interactive())
            return Shot("bad_form", f"payload={quote(good)}&payload=null")
        if roll == 2:  # a form without the command's required fields
            fields = {"command": SLASH_COMMAND, "text": "help"}
            if self.rng.random() < 0.5:
                fields["user_id"] = self.real.user
            return Shot("bad_form", urlencode(fields))
        if roll == 3:
            return Shot(
                "bad_form", self.rng.choice(["&&&", "=", "payload", "payload=", "a=%", "%%"])
            )
        return Shot("bad_form", "payload=" + quote(json.dumps(self.event())))

    def content_type(self) -> Shot:
        shot = self.rng.choice([self.wrong_types, self.command])()
        shot.content_type = self.rng.choice(
            [JSON, FORM, "text/plain", "", "multipart/form-data; boundary=x", "application/xml"]
        )
        return shot

    def command(self) -> Shot:
        name = self.rng.choice(command_table().names)
        text = self.rng.choice(
            [
                *[name, f"{name} INC-1", f"{name} INC-99999999999", f"{name} <@U0|x>"],
                *[f"{name} \ufffd", f"{name} " + "x" * 4000, f"{name} INC-1 <#C1> <!here>"],
            ]
        )
        fields: dict[str, Any] = {
            "command": SLASH_COMMAND,
            "text": text,
            "user_id": self.real.user,
            "channel_id": self.real.channel,
            "team_id": self.real.team,
            "trigger_id": "1.2.3",
            "response_url": "http://127.0.0.1:9/response",
        }
        if self.rng.random() < 0.5:
            key = self.rng.choice(list(fields))
            fields[key] = self.rng.choice(["", "\ufffd", "x" * 3000, "null", "[]", "{}", "0"])
        return Shot("command", urlencode(fields))

    def badly_signed(self) -> Shot:
        shot = self.rng.choice([self.command, self.wrong_types, self.bad_payload_json])()
        shot.kind, shot.signed = "badly_signed", False
        return shot

    def build(self) -> list[Shot]:
        return [self.kinds[index % len(self.kinds)]() for index in range(REQUESTS)]


def sign_bytes(secret: str, raw: bytes, timestamp: int) -> dict[str, str]:
    """Slack's v0 signature over bytes that are not UTF-8 (sign() takes text)."""
    digest = hmac.new(secret.encode(), b"v0:%d:" % timestamp + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": str(timestamp), "X-Slack-Signature": f"v0={digest}"}


def bad_signature(rng: random.Random, secret: str, body: str | bytes) -> dict[str, str]:
    now = int(time.time())
    text = body if isinstance(body, str) else body.decode("utf-8", "replace")
    good = sign(secret, text, now)
    return rng.choice(
        [
            {},
            {"X-Slack-Signature": good["X-Slack-Signature"]},
            {"X-Slack-Request-Timestamp": str(now)},
            sign("not-the-secret", text, now),
            sign(secret, text, now - 301),
            sign(secret, text, now + 400),
            sign(secret, text + " ", now),
            {**good, "X-Slack-Request-Timestamp": str(now + 1)},
            {**good, "X-Slack-Request-Timestamp": "١٧٦٧٦٠٠٠٠٠"},
            {**good, "X-Slack-Request-Timestamp": "9" * 40},
            {**good, "X-Slack-Request-Timestamp": "-1"},
            {**good, "X-Slack-Signature": "v0=" + "é" * 64},
            {**good, "X-Slack-Signature": "v1=" + good["X-Slack-Signature"][3:]},
            {**good, "X-Slack-Signature": good["X-Slack-Signature"].upper()},
            {**good, "X-Slack-Signature": ""},
        ]
    )


@pytest.fixture
async def hs(database_url: str) -> AsyncIterator[Harness]:
    async with running(database_url, slack_timeout_seconds=PATIENT) as harness:
        yield harness


async def real_values(h: Harness) -> Real:
    """File one issue the normal way, so buttons and modals carry real values."""
    dana, _, support = people(h)
    issue = await file_report(h, dana, support)
    buttons = [
        {
            "action_id": element["action_id"],
            "value": element.get("value", ""),
            "block_id": block.get("block_id", ""),
        }
        for message in bot_messages(h, channel_of(h, issue)) + bot_messages(h, support)
        for block in message.blocks or []
        if block.get("type") == "actions"
        for element in block.get("elements", [])
        if "action_id" in element
    ]
    view = await open_modal(h, dana, support, "new Hostile")
    return Real(dana.id, support.id, h.ws.team_id, buttons, dict(view.view))


@dataclass
class Outcome:
    sent: int
    statuses: Counter[int]
    problems: list[str]
    tracebacks: list[
        str
    ]  # ERROR records, or any with a traceback: "<logger>: <message>: <exception>"


async def barrage(h: Harness, caplog: pytest.LogCaptureFixture) -> Outcome:
    """Send the hostile requests, eight at a time; what came back and what was logged."""
    caplog.set_level(logging.INFO)
    real = await real_values(h)
    assert real.buttons, "the card should offer buttons to press"
    shots = Builder(SEED, real).build()
    secret = h.sandbox.signing_secret
    rng = random.Random(SEED + 1)
    statuses: Counter[int] = Counter()
    by_kind: dict[str, Counter[int]] = {}
    problems: list[str] = []
    gate = asyncio.Semaphore(8)

    def headers_for(shot: Shot) -> dict[str, str]:
        headers = {"Content-Type": shot.content_type} if shot.content_type else {}
        if not shot.signed:
            headers.update(bad_signature(rng, secret, shot.body))
        elif isinstance(shot.body, bytes):
            headers.update(sign_bytes(secret, shot.body, int(time.time())))
        else:
            headers.update(sign(secret, shot.body))
        return {**headers, **shot.headers}

    async def send(session: aiohttp.ClientSession, shot: Shot) -> None:
        raw = shot.body if isinstance(shot.body, bytes) else shot.body.encode()
        async with gate:
            # Signed when sent: a request queued behind the gate is still fresh.
            headers = headers_for(shot)
            async with session.post(
                h.bot_url + "/slack/events",
                data=io.BytesIO(raw),
                headers=headers,
                skip_auto_headers=["Content-Type"],
            ) as resp:
                text = await resp.text()
        statuses[resp.status] += 1
        by_kind.setdefault(shot.kind, Counter())[resp.status] += 1
        where = f"{resp.status} {shot.kind} {raw[:160]!r}: {text[:200]}"
        if resp.status >= 500:
            problems.append("5xx: " + where)
        elif not shot.signed and resp.status not in (401, 413):
            problems.append("not refused as badly signed: " + where)
        elif shot.signed and resp.status == 401:
            problems.append("a good signature refused: " + where)
        elif resp.status in (400, 401, 413):
            try:
                answer = json.loads(text)
            except ValueError:
                answer = None
            if not isinstance(answer, dict) or answer.get("ok") is not False:
                problems.append("a refusal without a JSON reason: " + where)
            elif "Traceback" in text or "<class" in text:
                problems.append("Python leaks: " + where)
        elif resp.status not in (200, 404):
            problems.append("unexpected status: " + where)

    started = time.monotonic()
    async with aiohttp.ClientSession() as session:
        await asyncio.gather(*(send(session, shot) for shot in shots))
    await h.firebell.settle()  # lazy listeners and deliveries finish before logs are read
    elapsed = time.monotonic() - started

    summary = ", ".join(f"{status}: {n}" for status, n in sorted(statuses.items()))
    print(f"\nhostile Slack requests: {len(shots)} in {elapsed:.1f}s; {summary}")
    for kind, counts in sorted(by_kind.items()):
        print(f"  {kind}: " + ", ".join(f"{s}: {n}" for s, n in sorted(counts.items())))
    tracebacks = [
        re.sub(r"error id \w+", "error id …", f"{r.name}: {r.getMessage()}: {error!r}")[:300]
        for r in caplog.records
        if r.levelno >= logging.ERROR or r.exc_info
        for error in [r.exc_info[1] if r.exc_info else None]
    ]
    return Outcome(len(shots), statuses, problems, tracebacks)


async def test_hostile_slack_requests_never_reach_a_5xx(
    hs: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    done = await barrage(hs, caplog)
    assert not done.problems, "\n".join(done.problems[:20])
    assert sum(done.statuses.values()) == done.sent >= 500
    assert not [status for status in done.statuses if status >= 500]
    assert done.statuses[401] >= done.sent // 12  # every badly signed one
    assert done.statuses[400] > 0 and done.statuses[200] > 0


async def test_hostile_slack_requests_log_no_tracebacks(
    hs: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    done = await barrage(hs, caplog)
    assert not done.tracebacks, "\n".join(sorted(set(done.tracebacks))[:20])
