"""POST /webhooks/jira: Jira's admin webhook, signed with its secret.

Jira signs the raw body: `X-Hub-Signature: sha256=<hex HMAC-SHA256>` with the webhook's
secret (Jira's "secure admin webhooks"); anything else is refused with 401 and changes
nothing. Jira retries a delivery it thinks failed, with the same
`X-Atlassian-Webhook-Identifier`: each identifier is acted on once."""

from __future__ import annotations

import contextvars
import hashlib
import json
from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlmodel import delete

from bot.core.clock import Clock
from bot.core.http_problems import Problem
from bot.core.log_context import bind
from bot.core.signatures import any_matches, hex_digest
from bot.core.slack_events import first_delivery
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_sync import JiraSync, StatusNews
from storage.db import Database
from storage.models import ProcessedEvent

MAX_BODY = 1024 * 1024  # Jira's issue payloads carry every field; a megabyte is plenty


def verify(secret: str, raw: bytes, header: str) -> None:
    if not header.startswith("sha256="):
        raise Problem(401, "X-Hub-Signature is missing or not sha256=<hex>")
    given = header.removeprefix("sha256=").strip().lower()
    if not any_matches([given], hex_digest(SecretStr(secret), raw)):
        raise Problem(401, "X-Hub-Signature does not match the body (check jira.webhook_secret)")


def status_news(body: Any) -> list[StatusNews]:
    """The status moves in a `jira:issue_updated` body (none for any other event)."""
    if not isinstance(body, dict) or body.get("webhookEvent") != "jira:issue_updated":
        return []
    issue, changelog = body.get("issue"), body.get("changelog")
    if not isinstance(issue, dict) or not isinstance(changelog, dict):
        raise Problem(400, "a jira:issue_updated body needs issue and changelog objects")
    key, items = issue.get("key"), changelog.get("items")
    if not isinstance(key, str) or not isinstance(items, list):
        raise Problem(400, "issue.key must be a string and changelog.items a list")
    return [
        StatusNews(key, str(item.get("fromString") or ""), str(item["toString"]))
        for item in items
        if isinstance(item, dict) and item.get("field") == "status" and item.get("toString")
    ]


def handler(
    config: JiraConfig | None, sync: JiraSync, db: Database, clock: Clock
) -> Callable[[web.Request], Any]:
    async def receive(request: web.Request) -> web.Response:
        bind(webhook_source="jira")
        if config is None:
            raise Problem(404, "the jira webhook is off: add a jira section to firebell.yml")
        if config.webhook_secret is None:
            raise Problem(401, "the jira webhook is off: set jira.webhook_secret in firebell.yml")
        if (request.content_length or 0) > MAX_BODY:
            raise Problem(413, "the body is over 1 MB")
        raw = await request.content.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            raise Problem(413, "the body is over 1 MB")
        verify(
            config.webhook_secret.get_secret_value(),
            raw,
            request.headers.get("X-Hub-Signature", ""),
        )
        try:
            body = json.loads(raw)
        except ValueError:
            raise Problem(400, "the body is not JSON") from None
        news = status_news(body)
        delivery = request.headers.get("X-Atlassian-Webhook-Identifier", "")[:50]
        event_id = "jira:" + (delivery or hashlib.sha256(raw).hexdigest()[:50])
        if not await db.run(first_delivery, db, clock, event_id):
            return web.json_response({"ok": True, "duplicate": True})
        try:
            done = [
                await db.run(contextvars.copy_context().run, sync.status_changed, n) for n in news
            ]
        except Exception:
            await db.run(_forget, db, event_id)  # not acted on: Jira's retry may do it
            raise
        return web.json_response({"ok": True, "done": done})

    return receive


def _forget(db: Database, event_id: str) -> None:
    with db.session() as session:
        session.execute(delete(ProcessedEvent).where(ProcessedEvent.event_id == event_id))  # type: ignore[arg-type]


def add_jira_routes(
    app: web.Application, config: JiraConfig | None, sync: JiraSync, db: Database, clock: Clock
) -> None:
    """Before /webhooks/{source}, which would take the name as an alert source."""
    app.router.add_post("/webhooks/jira", handler(config, sync, db, clock))
