"""Jira Cloud's REST API v3, the few calls Firebell makes, with basic auth (email and
API token). Every answer that is not a success is a `JiraFailed` carrying Jira's own
error shape (`errorMessages`, `errors`) and, on 429, its Retry-After."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.integrations.jira_config import JiraConfig

TIMEOUT_SECONDS = 15.0


@dataclass
class JiraFailed(Exception):
    """Jira said no, or did not answer (`status` 0)."""

    status: int
    messages: list[str] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)
    retry_after: float | None = None

    def __str__(self) -> str:
        said = "; ".join([*self.messages, *(f"{k}: {v}" for k, v in self.errors.items())])
        return f"Jira answered {self.status or 'nothing'}" + (f": {said}" if said else "")

    @property
    def transient(self) -> bool:
        """Worth retrying: a rate limit, Jira's own failure, or no answer at all."""
        return self.status in (0, 408, 429) or self.status >= 500


class JiraClient:
    def __init__(self, config: JiraConfig, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base = config.url
        pair = f"{config.email}:{config.api_token.get_secret_value()}".encode()
        self.headers = {
            "Authorization": "Basic " + base64.b64encode(pair).decode(),
            "Accept": "application/json",
        }
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def browse_url(self, key: str) -> str:
        return f"{self.base}/browse/{key}"

    async def call(self, method: str, path: str, body: Any = None, **params: str) -> Any:
        url = self.base + path
        try:
            async with aiohttp.ClientSession(timeout=self.timeout, headers=self.headers) as http:
                async with http.request(method, url, json=body, params=params or None) as answer:
                    text = await answer.text()
                    if answer.status >= 400:
                        raise _failure(answer.status, text, answer.headers.get("Retry-After"))
                    if not text:
                        return None
                    try:
                        return await answer.json(content_type=None)
                    except ValueError:
                        raise JiraFailed(answer.status, ["the answer was not JSON"]) from None
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise JiraFailed(0, [f"no answer from {self.base} ({type(exc).__name__})"]) from None

    async def create_issue(self, fields: dict[str, Any]) -> dict[str, Any]:
        return dict(await self.call("POST", "/rest/api/3/issue", {"fields": fields}))

    async def find_by_label(self, label: str) -> list[dict[str, Any]]:
        """Issues carrying the label (the enhanced search: /search/jql)."""
        found = await self.call(
            "GET", "/rest/api/3/search/jql", jql=f'labels = "{label}"', fields="status"
        )
        return list((found or {}).get("issues") or [])

    async def status(self, key: str) -> str:
        """The issue's status name now."""
        found = await self.call("GET", f"/rest/api/3/issue/{quote(key)}", fields="status")
        return str((((found or {}).get("fields") or {}).get("status") or {}).get("name") or "")

    async def transitions(self, key: str) -> list[dict[str, Any]]:
        found = await self.call("GET", f"/rest/api/3/issue/{quote(key)}/transitions")
        return list((found or {}).get("transitions") or [])

    async def transition(self, key: str, transition_id: str) -> None:
        body = {"transition": {"id": transition_id}}
        await self.call("POST", f"/rest/api/3/issue/{quote(key)}/transitions", body)

    async def link(self, kind: str, inward: str, outward: str) -> None:
        body = {
            "type": {"name": kind},
            "inwardIssue": {"key": inward},
            "outwardIssue": {"key": outward},
        }
        await self.call("POST", "/rest/api/3/issueLink", body)

    async def links(self, key: str) -> list[dict[str, Any]]:
        """The issue's links (its `issuelinks` field), each naming the other issue."""
        found = await self.call("GET", f"/rest/api/3/issue/{quote(key)}", fields="issuelinks")
        return list(((found or {}).get("fields") or {}).get("issuelinks") or [])

    async def issue_types(self, project: str) -> list[dict[str, Any]]:
        found = await self.call("GET", f"/rest/api/3/issue/createmeta/{quote(project)}/issuetypes")
        found = found or {}
        return list(found.get("issueTypes") or found.get("createMetaIssueType") or [])

    async def create_fields(self, project: str, type_id: str) -> list[dict[str, Any]]:
        path = f"/rest/api/3/issue/createmeta/{quote(project)}/issuetypes/{quote(type_id)}"
        found = await self.call("GET", path, maxResults="200") or {}
        return list(found.get("fields") or found.get("results") or [])


def _failure(status: int, text: str, retry_after: str | None) -> JiraFailed:
    messages: list[str] = []
    errors: dict[str, str] = {}
    try:
        body = json.loads(text) if text else {}
    except ValueError:
        body = {}
    if isinstance(body, dict):
        messages = [str(m) for m in body.get("errorMessages") or [] if m]
        raw = body.get("errors")
        if isinstance(raw, dict):
            errors = {str(k): str(v) for k, v in raw.items()}
    wait: float | None = None
    if retry_after:
        try:
            wait = max(float(retry_after), 0.0)
        except ValueError:
            wait = None
    return JiraFailed(status, messages, errors, wait)
