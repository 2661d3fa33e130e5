"""POST /webhooks/<source>: authenticate, size-check, parse, normalize, ingest.

Every refusal is a Problem (core/http_problems.py renders it as JSON with the reason);
a request is stored whole or not at all.
"""

from __future__ import annotations

import contextvars
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.core.bearer import require_bearer
from bot.core.deliveries import delivery_key, remember, was_seen
from bot.core.errors import FirebellError
from bot.core.http_problems import Problem
from bot.core.log_context import bind
from bot.core.webhook_bodies import read_body
from bot.detection.alerts import (
    Alert,
    BadPayload,
    read_alertmanager,
    read_datadog,
    read_generic,
    read_grafana,
    read_sentry,
)
from bot.detection.batching import IntakeBatcher
from bot.detection.config import WebhookConfig
from bot.detection.deploys import DeployIn, Deploys, read_deploy
from bot.detection.github import SIGNATURE_HEADER, read_github, signed
from bot.detection.intake import Intake
from bot.detection.validation import loads
from bot.detection.vendor_alerts import read_newrelic, read_rollbar
from storage.db import DatabaseBusy

READERS: dict[str, Callable[[Any, web.Request], list[Alert]]] = {
    "alertmanager": lambda body, _r: read_alertmanager(body),
    "grafana": lambda body, _r: read_grafana(body),
    "sentry": lambda body, r: read_sentry(body, r.headers.get("Sentry-Hook-Resource")),
    "datadog": lambda body, _r: read_datadog(body),
    "generic": lambda body, _r: read_generic(body),
    "newrelic": lambda body, _r: read_newrelic(body),
    "rollbar": lambda body, _r: read_rollbar(body),  # ?token=: Rollbar sends no headers
}
# Every /webhooks/<source> there is; create_app hands the names to /metrics for labels.
# (/webhooks/pagerduty is the SLA slice's: bot/sla/pagerduty_hook.py.)
SOURCES = (*READERS, "deploy", "github", "pagerduty")
BEARER_SOURCES = (*READERS, "deploy")


@dataclass(frozen=True)
class Webhooks:
    """What the webhook routes need, handed over by create_app."""

    config: WebhookConfig
    intake: Intake
    deploys: Deploys


def _authenticate(hooks: WebhookConfig, source: str, request: web.Request, raw: bytes) -> None:
    """Passes, or raises the 401 Problem that says why not."""
    token = hooks.tokens.get(source)  # type: ignore[call-overload]
    if token is None:
        raise Problem(
            401, f"the {source} webhook is off: set webhooks.tokens.{source} in firebell.yml"
        )
    require_bearer(request, {source: token}, query_token=True)
    if source == "sentry" and hooks.sentry_client_secret is not None:
        expected = hmac.new(
            hooks.sentry_client_secret.get_secret_value().encode(), raw, hashlib.sha256
        ).hexdigest()
        signature = request.headers.get("Sentry-Hook-Signature", "")
        given = signature.encode("utf-8", "surrogatepass")  # see core/bearer.py
        if not hmac.compare_digest(given, expected.encode()):
            raise Problem(401, "Sentry-Hook-Signature does not match the body")


def make_handler(hooks: Webhooks) -> Callable[[web.Request], Any]:
    batcher = IntakeBatcher(hooks.intake)

    async def receive(request: web.Request) -> web.Response:
        source = request.match_info["source"]
        if source not in BEARER_SOURCES:
            raise Problem(404, f"unknown source {source}; use one of {', '.join(SOURCES)}")
        bind(webhook_source=source)  # a known name only: the logs carry no caller's text
        raw = await read_body(request, hooks.config.max_body_kb)
        _authenticate(hooks.config, source, request, raw)
        # Anything else that fails is answered 500 by core/http_problems.py; the
        # request's alerts are stored in one transaction (a huge request in chunks of
        # a few hundred alerts, each stored whole: bot/detection/intake.py).
        try:
            # Every reader checks what it reads (bot/detection/validation.py), so bad
            # input is a BadPayload here and never reaches the database.
            body = loads(raw)
            if source == "deploy":
                return await _deploy(hooks, read_deploy(body))
            outcomes = await batcher.submit(READERS[source](body, request))
        except (BadPayload, FirebellError) as exc:
            raise Problem(400, str(exc)) from exc
        except DatabaseBusy as busy:
            raise _busy(busy) from None
        return web.json_response(
            {"ok": True, "alerts": [o.as_json() for o in outcomes]}, status=202
        )

    return receive


def _busy(busy: DatabaseBusy) -> Problem:
    return Problem(
        503,
        "the database is busy; nothing of this request was stored, send it again "
        f"in {busy.retry_after_seconds} s",
        headers={"Retry-After": str(busy.retry_after_seconds)},
    )


async def _deploy(hooks: Webhooks, deploy: DeployIn) -> web.Response:
    # In the database's threads, with the log context (storage/db.py).
    done = await hooks.deploys.db.run_unless_busy(
        contextvars.copy_context().run, hooks.deploys.record, deploy
    )
    return web.json_response(
        {
            "ok": True,
            "deploy": done.deploy.id,
            "created": done.created,
            "fixes": done.fixes,
            "unknown": done.unknown,
            "closed": done.closed,
        },
        status=201 if done.created else 200,
    )


def make_github_handler(hooks: Webhooks) -> Callable[[web.Request], Any]:
    """POST /webhooks/github: signed with webhooks.github_secret, acted on once per
    X-GitHub-Delivery (a redelivery from GitHub's settings page changes nothing)."""

    async def receive(request: web.Request) -> web.Response:
        bind(webhook_source="github")
        raw = await read_body(request, hooks.config.max_body_kb)
        secret = hooks.config.github_secret
        if secret is None:
            raise Problem(401, "the github webhook is off: set webhooks.github_secret")
        if not signed(secret, raw, request.headers.get(SIGNATURE_HEADER, "")):
            raise Problem(401, f"{SIGNATURE_HEADER} does not match the body and the secret")
        event = request.headers.get("X-GitHub-Event", "")
        if event == "ping":
            return web.json_response({"ok": True, "note": "pong: Firebell hears this hook"})
        key = delivery_key("github", request.headers.get("X-GitHub-Delivery", ""))
        if key is None:
            raise Problem(400, "X-GitHub-Delivery is missing or not a delivery id")
        db = hooks.deploys.db
        if await db.run(was_seen, db, key):
            return web.json_response({"ok": True, "note": "this delivery was handled already"})
        try:
            reading = read_github(event, loads(raw), dict(hooks.config.github_services))
            if reading.deploy is not None:
                reading.deploy.keys()  # impossible keys are refused before anything is stored
        except (BadPayload, FirebellError) as exc:
            raise Problem(400, str(exc)) from exc
        if reading.deploy is None:
            note = {"ok": True, "recorded": False, "note": reading.note}
            answer = web.json_response(note, status=202)
        else:
            try:
                answer = await _deploy(hooks, reading.deploy)
            except DatabaseBusy as busy:
                raise _busy(busy) from None
        # After the deploy (recording it twice is harmless: one per service, version and
        # environment), so a failure before here leaves GitHub's retry to do it.
        await db.run(remember, db, hooks.deploys.clock, key)
        return answer

    return receive


def add_routes(app: web.Application, hooks: Webhooks) -> None:
    # Before /webhooks/{source}: aiohttp tries routes in the order they were added.
    app.router.add_post("/webhooks/github", make_github_handler(hooks))
    app.router.add_post("/webhooks/{source}", make_handler(hooks))
