"""Local stand-ins for PagerDuty's Events API v2 and Opsgenie's Alerts API.

They check requests against the documented formats and record what arrived.
"""

from __future__ import annotations

import uuid
from typing import Any

from aiohttp import web

PD_ACTIONS = {"trigger", "acknowledge", "resolve"}
PD_SEVERITIES = {"critical", "error", "warning", "info"}
OPSGENIE_PRIORITIES = {"P1", "P2", "P3", "P4", "P5"}


class Pagers:
    def __init__(self) -> None:
        self.pagerduty: list[dict[str, Any]] = []
        self.opsgenie: list[dict[str, Any]] = []

    def routes(self, app: web.Application) -> None:
        app.router.add_post("/pagerduty/v2/enqueue", self._pagerduty)
        app.router.add_post("/opsgenie/v2/alerts", self._opsgenie)

    async def _pagerduty(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response(
                {
                    "status": "invalid event",
                    "message": "Event object is invalid",
                    "errors": ["body is not JSON"],
                },
                status=400,
            )
        errors = []
        if not body.get("routing_key"):
            errors.append("'routing_key' is missing or blank")
        if body.get("event_action") not in PD_ACTIONS:
            errors.append("'event_action' is invalid")
        payload = body.get("payload") or {}
        if body.get("event_action") == "trigger":
            for name in ("summary", "source", "severity"):
                if not payload.get(name):
                    errors.append(f"'payload.{name}' is missing or blank")
            if payload.get("severity") and payload["severity"] not in PD_SEVERITIES:
                errors.append("'payload.severity' is invalid")
            if len(payload.get("summary", "")) > 1024:
                errors.append("'payload.summary' is too long")
        if errors:
            return web.json_response(
                {"status": "invalid event", "message": "Event object is invalid", "errors": errors},
                status=400,
            )
        self.pagerduty.append(body)
        return web.json_response(
            {
                "status": "success",
                "message": "Event processed",
                "dedup_key": body.get("dedup_key") or uuid.uuid4().hex,
            },
            status=202,
        )

    async def _opsgenie(self, request: web.Request) -> web.Response:
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("GenieKey ") or len(auth) <= len("GenieKey "):
            return web.json_response(
                {"message": "Could not authenticate", "took": 0.0, "requestId": uuid.uuid4().hex},
                status=401,
            )
        body = await request.json()
        message = body.get("message") or ""
        if not message or len(message) > 130:
            return web.json_response(
                {
                    "message": "Message can not be empty or longer than 130",
                    "took": 0.0,
                    "requestId": uuid.uuid4().hex,
                },
                status=422,
            )
        if body.get("priority") and body["priority"] not in OPSGENIE_PRIORITIES:
            return web.json_response(
                {
                    "message": "Priority should be one of P1..P5",
                    "took": 0.0,
                    "requestId": uuid.uuid4().hex,
                },
                status=422,
            )
        self.opsgenie.append({**body, "api_key": auth.removeprefix("GenieKey ")})
        return web.json_response(
            {"result": "Request will be processed", "took": 0.01, "requestId": uuid.uuid4().hex},
            status=202,
        )
