"""POST /webhooks/zendesk: Zendesk's signature checked, the ticket event read, then
zendesk_intake.py does what it says.

Zendesk signs each request: `X-Zendesk-Webhook-Signature` is the base64 HMAC-SHA256,
keyed with the webhook's signing secret, of `X-Zendesk-Webhook-Signature-Timestamp`
followed by the raw body. A signature that does not match, or a timestamp more than
five minutes from our clock (a replay), is refused 401 before anything is read.
Both webhook kinds are read: an event subscription's ticket events (`type`, `id`,
`detail`) and a trigger's JSON body written the same way (README: Connect Zendesk),
where Zendesk's placeholders make every value a string.
"""

from __future__ import annotations

import contextvars
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.core.clock import Clock
from bot.core.http_problems import Problem
from bot.core.log_context import bind
from bot.core.signatures import any_matches, base64_digest
from bot.incidents.filing import Filing
from bot.integrations.zendesk_config import ZendeskConfig
from bot.integrations.zendesk_intake import TicketEvent, ZendeskIntake
from storage.db import Database, DatabaseBusy

PATH = "/webhooks/zendesk"
FRESH = timedelta(minutes=5)
BODY_LIMIT = 256 * 1024
SIGNATURE = "X-Zendesk-Webhook-Signature"
TIMESTAMP = "X-Zendesk-Webhook-Signature-Timestamp"
INVOCATION = "X-Zendesk-Webhook-Invocation-Id"


def signature_of(secret: str, timestamp: str, body: bytes) -> str:
    return base64_digest(SecretStr(secret), timestamp.encode() + body)


def verify(secret: str, headers: Any, body: bytes, now: datetime) -> None:
    """Passes, or raises the 401 that says why not (never which part of a secret)."""
    given, stamp = headers.get(SIGNATURE, ""), headers.get(TIMESTAMP, "")
    if not given or not stamp:
        raise Problem(401, f"{SIGNATURE} and {TIMESTAMP} are required")
    expected = signature_of(secret, stamp, body)
    if not any_matches([given], expected):
        raise Problem(401, f"{SIGNATURE} does not match the body")
    sent = _moment(stamp)
    if sent is None:
        raise Problem(401, f"{TIMESTAMP} is not a time")
    if abs(now - sent) > FRESH:
        raise Problem(
            401, f"{TIMESTAMP} is more than 5 minutes from now: a replay, or a clock adrift"
        )


def _moment(stamp: str) -> datetime | None:
    """Zendesk sends ISO 8601 (`2026-12-05T10:00:00Z`); seconds since 1970 are read too."""
    try:
        if stamp.isdigit():
            return datetime.fromtimestamp(int(stamp), UTC)
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


class BadEvent(ValueError):
    """A body that is not a ticket event we can read (400, with the reason)."""


def read_event(body: Any) -> tuple[TicketEvent | None, str | None]:
    """The ticket event and its id; None for an event about something else than a ticket."""
    if not isinstance(body, dict):
        raise BadEvent("expected a JSON object")
    kind = body.get("type", "zen:event-type:ticket")
    if not isinstance(kind, str) or not kind.startswith("zen:event-type:ticket"):
        return None, _text(body.get("id"), "id", 64, required=False)
    detail = body.get("detail")
    if not isinstance(detail, dict):
        raise BadEvent("detail: expected the ticket (an object)")
    ticket = _number(detail.get("id"), "detail.id")
    requester = str(_number(detail.get("requester_id"), "detail.requester_id"))
    event = TicketEvent(
        ticket_id=ticket,
        subject=_text(detail.get("subject"), "detail.subject", 10_000) or "",
        description=_text(detail.get("description"), "detail.description", 200_000) or "",
        tags=_tags(detail.get("tags")),
        requester_id=requester,
        priority=(_text(detail.get("priority"), "detail.priority", 20) or "").lower() or None,
    )
    return event, _text(body.get("id"), "id", 64, required=False)


def _number(value: Any, where: str) -> int:
    # Ids arrive as numbers (events) or strings (a trigger's placeholders).
    text = str(value) if isinstance(value, int | str) and not isinstance(value, bool) else ""
    if not text.isdigit() or len(text) > 19 or int(text) == 0:
        raise BadEvent(f"{where}: expected a Zendesk id (a positive whole number)")
    return int(text)


def _text(value: Any, where: str, limit: int, required: bool = False) -> str | None:
    if value is None and not required:
        return None
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or len(value) > limit:
        raise BadEvent(f"{where}: expected text of at most {limit} characters")
    return value


def _tags(value: Any) -> tuple[str, ...]:
    # A list (events), or one string of tags separated by spaces ({{ticket.tags}}).
    if value is None:
        return ()
    items = value.split() if isinstance(value, str) else value
    if not isinstance(items, list) or len(items) > 500:
        raise BadEvent("detail.tags: expected a list of tags")
    if not all(isinstance(tag, str) and len(tag) <= 200 for tag in items):
        raise BadEvent("detail.tags: expected tags as text")
    return tuple(tag.strip().lower() for tag in items)


async def _read(request: web.Request) -> bytes:
    if (request.content_length or 0) > BODY_LIMIT:
        raise Problem(413, f"the body is over {BODY_LIMIT // 1024} KB")
    body = b""
    while len(body) <= BODY_LIMIT:  # read(n) gives what has arrived: read to the end
        chunk = await request.content.read(BODY_LIMIT + 1 - len(body))
        if not chunk:
            break
        body += chunk
    if len(body) > BODY_LIMIT:
        raise Problem(413, f"the body is over {BODY_LIMIT // 1024} KB")
    return body


def make_handler(
    intake: ZendeskIntake | None, secret: str, clock: Clock
) -> Callable[[web.Request], Any]:
    async def receive(request: web.Request) -> web.Response:
        bind(webhook_source="zendesk")
        if intake is None:
            raise Problem(404, "the zendesk webhook is off: add a zendesk section to firebell.yml")
        raw = await _read(request)
        verify(secret, request.headers, raw, clock.now())
        try:
            event, event_id = read_event(json.loads(raw))
        except (BadEvent, ValueError, RecursionError) as exc:
            raise Problem(400, f"not a Zendesk ticket event: {exc}") from None
        if event is None:
            return web.json_response({"ok": True, "action": "ignored", "issue": None})
        # A redelivery carries the same invocation id; an event subscription's event
        # keeps its id across invocations too.
        invocation = request.headers.get(INVOCATION, "")[:50]
        seen = [f"zendesk:invocation:{invocation}"] if invocation else []
        seen += [f"zendesk:event:{event_id}"[:64]] if event_id else []
        try:
            done = await intake.db.run_unless_busy(
                contextvars.copy_context().run, intake.receive, event, seen
            )
        except DatabaseBusy as busy:
            raise Problem(
                503,
                "the database is busy; nothing of this request was stored, send it again "
                f"in {busy.retry_after_seconds} s",
                headers={"Retry-After": str(busy.retry_after_seconds)},
            ) from None
        return web.json_response({"ok": True, **done.as_json()})

    return receive


def add_zendesk_route(
    app: web.Application, db: Database, clock: Clock, filing: Filing, config: ZendeskConfig | None
) -> None:
    """The route, on whether or not Zendesk is set up (off: 404 saying how to turn it on)."""
    intake = ZendeskIntake(db, clock, filing, config) if config is not None else None
    secret = config.webhook_secret.get_secret_value() if config is not None else ""
    app.router.add_post(PATH, make_handler(intake, secret, clock))
