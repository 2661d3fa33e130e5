"""A local stand-in for Zendesk Support: its tickets, their comments, the API calls
Firebell makes, and the signed webhooks Zendesk sends. Built from Zendesk's published
API reference (Tickets, Ticket Comments, Users /me, webhook signing and ticket events).

- Basic auth is checked as Zendesk checks API tokens: `{email}/token:{api_token}`;
  anything else answers 401 `{"error": "Couldn't authenticate you"}`.
- `PUT /api/v2/tickets/{id}` (with or without `.json`) adds `ticket.comment`; an
  unknown ticket answers 404 RecordNotFound, a blank body or a closed ticket 422
  RecordInvalid with `details`, as Zendesk does.
- `GET /api/v2/tickets/{id}/comments` lists comments (`sort_order=desc` newest first).
- Faults on request: the next requests answer 429 with Retry-After, or 503, or do the
  update and lose the answer (504, as a proxy that timed out would).
- `send_event` posts a ticket event to a URL, signed as Zendesk signs it
  (base64 HMAC-SHA256 of the timestamp and the body), or forged, or stale.

It imports nothing from `bot`.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import aiohttp
from aiohttp import web

AGENT_ID = 360001


@dataclass
class Ticket:
    id: int
    subject: str
    description: str
    requester_id: int
    tags: list[str]
    priority: str = "normal"
    status: str = "new"
    comments: list[dict[str, Any]] = field(default_factory=list)

    def as_detail(self) -> dict[str, Any]:
        """The `detail` of a ticket event (Zendesk's ticket events reference)."""
        return {
            "id": str(self.id),
            "subject": self.subject,
            "description": self.description,
            "status": self.status.upper(),
            "priority": self.priority.upper(),
            "type": "INCIDENT",
            "tags": list(self.tags),
            "requester_id": str(self.requester_id),
            "submitter_id": str(self.requester_id),
            "assignee_id": None,
            "organization_id": None,
            "group_id": "1",
            "brand_id": "1",
            "form_id": "1",
            "external_id": None,
            "is_public": True,
            "created_at": "2026-12-05T09:00:00Z",
            "updated_at": "2026-12-05T09:00:00Z",
            "via": {"channel": "web_form"},
        }


def signature(secret: str, timestamp: str, body: bytes) -> str:
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _problem(status: int, error: str, description: str, **more: Any) -> web.Response:
    return web.json_response({"error": error, "description": description, **more}, status=status)


class Zendesk:
    def __init__(
        self,
        email: str = "agent@example.com",
        api_token: str = "zd-token-0123456789abcdef",
        webhook_secret: str = "zd-signing-secret-0123456789",
        now: Callable[[], float] | None = None,
    ) -> None:
        self.email, self.api_token, self.webhook_secret = email, api_token, webhook_secret
        self.now = now or time.time
        self.tickets: dict[int, Ticket] = {}
        self.requests: list[tuple[str, str]] = []  # every API request, authorised or not
        # What the next API requests meet, in order: "rate_limit", "unavailable",
        # "lose_answer" (a PUT that is done, answered 504).
        self.faults: list[str] = []
        self.retry_after = 30  # seconds, for "rate_limit"
        self._next_ticket = 100
        self._next_comment = 9000
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # -- the account ---------------------------------------------------------
    def add_ticket(
        self,
        subject: str,
        description: str,
        requester_id: int = 7001,
        tags: list[str] | None = None,
        priority: str = "normal",
    ) -> Ticket:
        self._next_ticket += 1
        ticket = Ticket(self._next_ticket, subject, description, requester_id, tags or [], priority)
        ticket.comments.append(self._comment(description, requester_id, public=True))
        self.tickets[ticket.id] = ticket
        return ticket

    def comments_by_agent(self, ticket_id: int) -> list[dict[str, Any]]:
        return [c for c in self.tickets[ticket_id].comments if c["author_id"] == AGENT_ID]

    def _comment(self, body: str, author_id: int, public: bool) -> dict[str, Any]:
        self._next_comment += 1
        return {
            "id": self._next_comment,
            "type": "Comment",
            "author_id": author_id,
            "body": body,
            "html_body": f'<div class="zd-comment"><p>{body}</p></div>',
            "plain_body": body,
            "public": public,
            "attachments": [],
            "created_at": datetime.fromtimestamp(self.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    # -- serving -------------------------------------------------------------
    async def start(self) -> Zendesk:
        app = web.Application()
        app.router.add_get("/api/v2/users/me{ext:(\\.json)?}", self._me)
        app.router.add_get(
            "/api/v2/tickets/{id:\\d+}/comments{ext:(\\.json)?}", self._list_comments
        )
        app.router.add_get("/api/v2/tickets/{id:\\d+}{ext:(\\.json)?}", self._show)
        app.router.add_put("/api/v2/tickets/{id:\\d+}{ext:(\\.json)?}", self._update)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _refused(self, request: web.Request) -> web.Response | None:
        """Authentication, then any fault waiting for this request."""
        self.requests.append((request.method, request.path))
        expected = base64.b64encode(f"{self.email}/token:{self.api_token}".encode()).decode()
        if request.headers.get("Authorization", "") != f"Basic {expected}":
            return web.json_response({"error": "Couldn't authenticate you"}, status=401)
        if self.faults and self.faults[0] == "rate_limit":
            self.faults.pop(0)
            return web.Response(
                status=429,
                text="Too Many Requests",
                headers={"Retry-After": str(self.retry_after)},
            )
        if self.faults and self.faults[0] == "unavailable":
            self.faults.pop(0)
            return web.json_response(
                {"error": "Service Unavailable"}, status=503, headers={"Retry-After": "5"}
            )
        return None

    def _ticket(self, request: web.Request) -> Ticket | web.Response:
        ticket = self.tickets.get(int(request.match_info["id"]))
        if ticket is None:
            return _problem(404, "RecordNotFound", "Not found")
        return ticket

    async def _me(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        return web.json_response(
            {"user": {"id": AGENT_ID, "email": self.email, "role": "agent", "name": "Support"}}
        )

    async def _show(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        ticket = self._ticket(request)
        if isinstance(ticket, web.Response):
            return ticket
        return web.json_response({"ticket": {**ticket.as_detail(), "id": ticket.id}})

    async def _list_comments(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        ticket = self._ticket(request)
        if isinstance(ticket, web.Response):
            return ticket
        comments = list(ticket.comments)
        if request.query.get("sort_order") == "desc":
            comments.reverse()
        page = comments[:100]
        return web.json_response(
            {"comments": page, "next_page": None, "previous_page": None, "count": len(comments)}
        )

    async def _update(self, request: web.Request) -> web.Response:
        refused = self._refused(request)
        if refused is not None:
            return refused
        ticket = self._ticket(request)
        if isinstance(ticket, web.Response):
            return ticket
        try:
            body = await request.json()
        except ValueError:
            return _problem(400, "InvalidEndpoint", "The request body is not valid JSON")
        update = body.get("ticket") if isinstance(body, dict) else None
        comment = update.get("comment") if isinstance(update, dict) else None
        if not isinstance(comment, dict) or not str(comment.get("body", "")).strip():
            return _problem(
                422,
                "RecordInvalid",
                "Record validation errors",
                details={
                    "base": [{"description": "Comment: cannot be blank", "error": "BlankValue"}]
                },
            )
        if ticket.status == "closed":
            return _problem(
                422,
                "RecordInvalid",
                "Record validation errors",
                details={"status": [{"description": "Status: closed prevents ticket update"}]},
            )
        public = comment.get("public", True) is not False
        ticket.comments.append(self._comment(str(comment["body"]), AGENT_ID, public))
        if self.faults and self.faults[0] == "lose_answer":
            self.faults.pop(0)
            return web.Response(status=504, text="Gateway Timeout")
        audit = {"id": self._next_comment + 1, "ticket_id": ticket.id, "author_id": AGENT_ID}
        return web.json_response(
            {"ticket": {**ticket.as_detail(), "id": ticket.id}, "audit": audit}
        )

    # -- webhooks --------------------------------------------------------------
    def event(self, ticket: Ticket, kind: str = "ticket.created") -> dict[str, Any]:
        """A ticket event as an event-subscription webhook sends it."""
        moment = datetime.fromtimestamp(self.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        return {
            "type": f"zen:event-type:{kind}",
            "account_id": 9242270,
            "id": str(uuid.uuid4()),
            "time": moment,
            "zendesk_event_version": "2022-11-06",
            "subject": f"zen:ticket:{ticket.id}",
            "detail": ticket.as_detail(),
            "event": {"meta": {"sequence": {"id": uuid.uuid4().hex, "position": 1}}},
        }

    async def send_event(
        self,
        url: str,
        event: dict[str, Any],
        *,
        invocation_id: str | None = None,
        forged: bool = False,
        age_seconds: float = 0,
    ) -> tuple[int, dict[str, Any]]:
        """POST an event as Zendesk does; `forged`: signed with another secret;
        `age_seconds`: the timestamp that far in the past (a replay)."""
        body = json.dumps(event).encode()
        stamp = datetime.fromtimestamp(self.now() - age_seconds, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        secret = "not-the-signing-secret" if forged else self.webhook_secret
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "Zendesk Webhook",
            "X-Zendesk-Account-Id": "9242270",
            "X-Zendesk-Webhook-Id": "01GM6S4YZ9MWH1CN8C3EF6QNSM",
            "X-Zendesk-Webhook-Invocation-Id": invocation_id or str(uuid.uuid4().int)[:19],
            "X-Zendesk-Webhook-Signature": signature(secret, stamp, body),
            "X-Zendesk-Webhook-Signature-Timestamp": stamp,
        }
        async with aiohttp.ClientSession() as session:
            async with session.post(url, data=body, headers=headers) as response:
                return response.status, await response.json(content_type=None)
