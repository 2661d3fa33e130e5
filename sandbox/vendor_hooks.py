"""Webhook senders as GitHub, New Relic and Rollbar send them (PagerDuty's is with its
stand-in, sandbox/paging.py), so tests reach Firebell over HTTP with the vendors' own
headers, signatures and body shapes.

- GitHub: `X-GitHub-Event`, `X-GitHub-Delivery` (a GUID), `X-Hub-Signature-256:
  sha256=<hex HMAC-SHA256 of the body>`, JSON body (content type application/json).
- New Relic: a workflow's webhook destination posts the payload template with the
  headers configured on it (here `Authorization: Bearer <token>`).
- Rollbar: cannot add headers, so the token rides in the URL (`?token=`).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from typing import Any

import aiohttp

Answer = tuple[int, dict[str, Any]]


def hub_signature(secret: str, raw: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()


async def post(url: str, raw: bytes, headers: dict[str, str]) -> Answer:
    async with (
        aiohttp.ClientSession() as session,
        session.post(url, data=raw, headers={"Content-Type": "application/json", **headers}) as r,
    ):
        try:
            body = await r.json(content_type=None)
        except ValueError:
            body = {"text": await r.text()}
        return r.status, body


async def github(
    url: str,
    secret: str,
    event: str,
    payload: dict[str, Any],
    *,
    delivery: str | None = None,
    forged: bool = False,
) -> Answer:
    """One delivery; the same `delivery` id again is GitHub's "Redeliver" button."""
    raw = json.dumps(payload).encode()
    signature = hub_signature("not-the-secret" if forged else secret, raw)
    headers = {
        "User-Agent": "GitHub-Hookshot/sandbox",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery or str(uuid.uuid4()),
        "X-GitHub-Hook-ID": "292430182",
        "X-Hub-Signature-256": signature,
    }
    return await post(url, raw, headers)


def newrelic_issue(issue_id: str, state: str, **fields: Any) -> dict[str, Any]:
    """New Relic's default workflow payload template, filled in as it sends it."""
    body = {
        "id": issue_id,
        "issueUrl": f"https://radar-api.service.newrelic.com/accounts/1/issues/{issue_id}",
        "title": "Memory Used % > 90 for at least 2 minutes on 'checkout'",
        "priority": "CRITICAL",
        "impactedEntities": ["checkout"],
        "totalIncidents": 1,
        "state": state,
        "trigger": "STATE_CHANGE",
        "isCorrelated": False,
        "createdAt": 1767603480000,
        "updatedAt": 1767603480000,
        "sources": ["newrelic"],
        "alertPolicyNames": ["Checkout golden signals"],
        "alertConditionNames": ["Memory high"],
        "workflowName": "Firebell",
    }
    return {**body, **fields}


async def newrelic(url: str, token: str | None, payload: dict[str, Any]) -> Answer:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await post(url, json.dumps(payload).encode(), headers)


def rollbar_item(event_name: str, item_id: int, **item: Any) -> dict[str, Any]:
    """Rollbar's `{"event_name", "data": {"item", "occurrence"}}` for an item event."""
    fields = {
        "id": item_id,
        "counter": 31,
        "project_id": 90,
        "environment": "production",
        "title": "TypeError: cannot read properties of undefined (reading 'total')",
        "level": 40,
        "status": 2 if event_name == "resolved_item" else 1,
        "total_occurrences": 1,
        "first_occurrence_timestamp": 1767603480,
        "last_occurrence_timestamp": 1767603480,
        "hash": "7dd4d2a23af6cf8b00c0d3cf2ba5b8db4c7e2d1b",
        "last_occurrence": {"level": "error", "language": "javascript"},
        **item,
    }
    data: dict[str, Any] = {
        "item": fields,
        "url": f"https://rollbar.com/example/shop/items/{fields['counter']}/",
    }
    if event_name == "occurrence":
        data["occurrence"] = {"level": "error", "environment": fields["environment"]}
    return {"event_name": event_name, "data": data}


async def rollbar(url: str, token: str | None, payload: dict[str, Any]) -> Answer:
    target = f"{url}?token={token}" if token else url
    return await post(target, json.dumps(payload).encode(), {"User-Agent": "Rollbar"})
