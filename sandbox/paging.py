"""Local stand-ins for PagerDuty's Events API v2 and Opsgenie's Alerts API.

They check requests against the documented formats, answer as the vendors do,
and record what arrived: every accepted request, and per dedup key (PagerDuty)
or alias (Opsgenie) the actions in the order they came, so a test can read
"trigger, acknowledge, resolve" for one issue, and would see any duplicate.

`webhook` sends what PagerDuty's v3 webhook subscriptions send when someone acts on
an incident in PagerDuty: `{"event": {"id", "event_type", "resource_type",
"occurred_at", "agent", "client", "data": <the incident>}}`, signed in
`X-PagerDuty-Signature` as `v1=<hex HMAC-SHA256 of the body>` per secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import aiohttp
from aiohttp import web

PD_ACTIONS = {"trigger", "acknowledge", "resolve"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}
PD_KEY_LENGTH = 32  # an Events API v2 integration (routing) key
OPSGENIE_PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}
OPSGENIE_ACTIONS = {"acknowledge", "close"}


def _pd_invalid(*errors: str) -> web.Response:
    return web.json_response(
        {"status": "invalid event", "message": "Event object is invalid", "errors": list(errors)},
        status=400,
    )


def _genie(message: str, status: int, took: float = 0.0) -> web.Response:
    """Opsgenie answers every request, good or bad, with a message, `took` and a request id."""
    key = "result" if status < 400 else "message"
    return web.json_response(
        {key: message, "took": took, "requestId": str(uuid.uuid4())}, status=status
    )


class Pagers:
    def __init__(self) -> None:
        self.pagerduty: list[dict[str, Any]] = []  # every accepted event, as sent
        self.opsgenie: list[dict[str, Any]] = []  # every accepted request, with its action
        # Opsgenie's alert state by alias: open, acknowledged or closed.
        self.alerts: dict[str, str] = {}
        # The next this many requests, to either pager, answer 503 (an outage).
        self.outage = 0

    def _down(self) -> web.Response | None:
        if self.outage <= 0:
            return None
        self.outage -= 1
        return web.json_response({"message": "Service Unavailable"}, status=503)

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/pagerduty/v2/enqueue", self._pagerduty)
        app.router.add_post("/opsgenie/v2/alerts", self._opsgenie)
        app.router.add_post("/opsgenie/v2/alerts/{identifier}/{action}", self._opsgenie_action)

    def pagerduty_actions(self, dedup_key: str) -> list[str]:
        return [e["event_action"] for e in self.pagerduty if e.get("dedup_key") == dedup_key]

    def opsgenie_actions(self, alias: str) -> list[str]:
        return [r["action"] for r in self.opsgenie if r.get("alias") == alias]

    # -- PagerDuty ------------------------------------------------------------
    async def _pagerduty(self, request: web.Request) -> web.Response:
        if down := self._down():
            return down
        try:
            body = await request.json()
        except ValueError:
            return _pd_invalid("body is not JSON")
        errors = []
        key = body.get("routing_key")
        if not key:
            errors.append("'routing_key' is missing or blank")
        elif len(key) != PD_KEY_LENGTH:
            errors.append("Length of 'routing_key' is incorrect (should be 32 characters)")
        action = body.get("event_action")
        if action not in PD_ACTIONS:
            errors.append("'event_action' is invalid")
        payload = body.get("payload") or {}
        if action == "trigger":
            for name in ("summary", "source", "severity"):
                if not payload.get(name):
                    errors.append(f"'payload.{name}' is missing or blank")
            if payload.get("severity") and payload["severity"] not in PD_SEVERITIES:
                errors.append("'payload.severity' is invalid")
            if len(payload.get("summary", "")) > 1024:
                errors.append("'payload.summary' is too long")
        elif action in PD_ACTIONS and not body.get("dedup_key"):
            # Acknowledge and resolve name the alert they act on.
            errors.append("'dedup_key' is missing or blank")
        if errors:
            return _pd_invalid(*errors)
        self.pagerduty.append(body)
        # Acknowledging or resolving a resolved (or unknown) key is accepted and
        # changes nothing: PagerDuty deduplicates by dedup_key.
        return web.json_response(
            {
                "status": "success",
                "message": "Event processed",
                "dedup_key": body.get("dedup_key") or uuid.uuid4().hex,
            },
            status=202,
        )

    # -- Opsgenie -------------------------------------------------------------
    @staticmethod
    def _genie_key(request: web.Request) -> str | None:
        auth = request.headers.get("Authorization", "")
        key = auth.removeprefix("GenieKey ").strip()
        return key if auth.startswith("GenieKey ") and key else None

    async def _opsgenie(self, request: web.Request) -> web.Response:
        if down := self._down():
            return down
        key = self._genie_key(request)
        if key is None:
            return _genie("Could not authenticate", 401)
        try:
            body = await request.json()
        except ValueError:
            return _genie("Request body is not processable. Please check your request.", 400)
        message = body.get("message") or ""
        if not message or len(message) > 130:
            return _genie("Message can not be empty or longer than 130", 422)
        if body.get("priority") and body["priority"] not in OPSGENIE_PRIORITIES:
            return _genie("Priority should be one of P1..P5", 422)
        self.opsgenie.append({**body, "action": "create", "api_key": key})
        alias = body.get("alias")
        if alias and self.alerts.get(alias) in (None, "closed"):
            self.alerts[alias] = "open"  # else an open alert has the alias: deduplicated
        return _genie("Request will be processed", 202, 0.01)

    async def _opsgenie_action(self, request: web.Request) -> web.Response:
        """Acknowledge or close by alias. Opsgenie processes requests asynchronously: a
        known alias gets 202 whatever its state (acting on a closed alert fails later,
        in the request's status, and changes nothing); an alias it never saw gets 404."""
        if down := self._down():
            return down
        key = self._genie_key(request)
        if key is None:
            return _genie("Could not authenticate", 401)
        action, alias = request.match_info["action"], request.match_info["identifier"]
        if action not in OPSGENIE_ACTIONS:
            return _genie(f"No such alert action: {action}", 404)
        if request.query.get("identifierType") != "alias":
            return _genie(f"Alert with id [{alias}] does not exist.", 404)
        if alias not in self.alerts:
            return _genie(f"Alert with alias [{alias}] does not exist.", 404)
        try:
            body = await request.json() if request.can_read_body else {}
        except ValueError:
            return _genie("Request body is not processable. Please check your request.", 400)
        self.opsgenie.append({**body, "alias": alias, "action": action, "api_key": key})
        if self.alerts[alias] != "closed":
            self.alerts[alias] = "acknowledged" if action == "acknowledge" else "closed"
        return _genie("Request will be processed", 202, 0.01)

    # -- PagerDuty's v3 webhooks ------------------------------------------------
    async def webhook(
        self,
        url: str,
        secrets: list[str],
        event_type: str,
        incident_key: str,
        *,
        agent: str = "Dana Oncall",
        event_id: str | None = None,
    ) -> tuple[int, dict[str, Any]]:
        """Tell `url` that someone did `event_type` ("incident.acknowledged") on the
        incident PagerDuty keeps for `incident_key` (the dedup_key it was triggered with).
        Several secrets sign it several times, as during a secret's rotation."""
        body = {
            "event": {
                "id": event_id or str(uuid.uuid4()),
                "event_type": event_type,
                "resource_type": "incident",
                "occurred_at": "2026-01-05T09:05:00.000Z",
                "agent": {
                    "html_url": "https://acme.pagerduty.com/users/PLH1HKV",
                    "id": "PLH1HKV",
                    "self": "https://api.pagerduty.com/users/PLH1HKV",
                    "summary": agent,
                    "type": "user_reference",
                },
                "client": {"name": "PagerDuty"},
                "data": {
                    "id": "Q0RIJJZL24RC6W",
                    "type": "incident",
                    "self": "https://api.pagerduty.com/incidents/Q0RIJJZL24RC6W",
                    "html_url": "https://acme.pagerduty.com/incidents/Q0RIJJZL24RC6W",
                    "number": 2,
                    "status": event_type.removeprefix("incident."),
                    "incident_key": incident_key,
                    "created_at": "2026-01-05T09:00:00Z",
                    "title": "A little bump in the road",
                    "urgency": "high",
                },
            }
        }
        raw = json.dumps(body).encode()
        signature = ",".join(
            "v1=" + hmac.new(s.encode(), raw, hashlib.sha256).hexdigest() for s in secrets
        )
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": "PagerDuty-Webhook/V3.0",
            "X-PagerDuty-Signature": signature,
            "X-Webhook-Id": "PF9KMXH",
            "X-Webhook-Subscription": "PY1OQQX",
        }
        async with (
            aiohttp.ClientSession() as session,
            session.post(url, data=raw, headers=headers) as resp,
        ):
            return resp.status, await resp.json(content_type=None)
