"""The few calls Firebell makes to Zendesk's Support API, and its answers in our terms.

Basic auth as Zendesk's API tokens want it: `{email}/token:{api_token}`. An answer
that retrying can cure (429 with its Retry-After, 5xx, no answer at all) is a
transient DeliveryError, so the outbox tries again later; one it cannot (401, 403,
404, 422) is `Refused`, with words for the issue's channel that name what to check.
"""

from __future__ import annotations

import base64
from typing import Any

import aiohttp

from bot.core.outbox import DeliveryError
from bot.integrations.zendesk_config import ZendeskConfig

TIMEOUT_SECONDS = 10.0


class Refused(Exception):
    """Zendesk refused the request for good; `reason` is for the issue's channel."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _retry_after(response: aiohttp.ClientResponse) -> float | None:
    value = response.headers.get("Retry-After", "")
    return float(value) if value.strip().isdigit() else None


def _details(body: Any) -> str:
    """A 422's reasons: `details: {field: [{description}]}`, else its `description`."""
    if not isinstance(body, dict):
        return ""
    details = body.get("details")
    if isinstance(details, dict):
        found = [
            str(item.get("description"))
            for items in details.values()
            if isinstance(items, list)
            for item in items
            if isinstance(item, dict) and item.get("description")
        ]
        if found:
            return "; ".join(found)[:300]
    description = body.get("description") or body.get("error")
    return str(description)[:300] if description else ""


class ZendeskApi:
    def __init__(self, config: ZendeskConfig) -> None:
        self.config = config
        pair = f"{config.email}/token:{config.api_token.get_secret_value()}"
        self.headers = {"Authorization": "Basic " + base64.b64encode(pair.encode()).decode()}
        self._me: int | None = None

    async def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        url = f"{self.config.url}{path}"
        timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
        try:
            async with aiohttp.ClientSession(timeout=timeout, headers=self.headers) as session:
                async with session.request(method, url, json=body) as response:
                    try:
                        answer = await response.json(content_type=None)
                    except ValueError:
                        answer = None
                    self._check(response, answer)
                    return answer
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise DeliveryError(f"Zendesk did not answer: {type(exc).__name__}") from None

    def _check(self, response: aiohttp.ClientResponse, answer: Any) -> None:
        status = response.status
        if status < 400:
            return
        if status == 429 or status >= 500:
            raise DeliveryError(f"Zendesk answered {status}", retry_after=_retry_after(response))
        if status == 401:
            raise Refused(
                status,
                "the API token is wrong (401); check zendesk.api_token and zendesk.email",
            )
        if status == 403:
            raise Refused(
                status,
                f"the agent {self.config.email} may not update it (403); "
                "check that agent's role in Zendesk",
            )
        if status == 404:
            raise Refused(status, "the ticket does not exist, or was deleted (404)")
        if status == 422:
            why = _details(answer)
            raise Refused(
                status, f"Zendesk found the update invalid (422){': ' + why if why else ''}"
            )
        raise Refused(status, f"Zendesk answered {status}")

    async def me(self) -> int | None:
        """The agent's user id (whose comments are Firebell's), asked once."""
        if self._me is None:
            answer = await self._call("GET", "/api/v2/users/me.json")
            user = answer.get("user") if isinstance(answer, dict) else None
            found = user.get("id") if isinstance(user, dict) else None
            self._me = found if isinstance(found, int) else None
        return self._me

    async def has_comment(self, ticket_id: int, body: str) -> bool:
        """Whether this body is already on the ticket from our agent (newest first: a
        comment of ours that went in is among the latest)."""
        me = await self.me()
        answer = await self._call(
            "GET", f"/api/v2/tickets/{ticket_id}/comments.json?sort_order=desc"
        )
        comments = answer.get("comments") if isinstance(answer, dict) else None
        for comment in comments if isinstance(comments, list) else []:
            if not isinstance(comment, dict):
                continue
            text = str(comment.get("body") or comment.get("plain_body") or "")
            if comment.get("author_id") == me and text.strip() == body.strip():
                return True
        return False

    async def add_comment(self, ticket_id: int, body: str, public: bool) -> None:
        comment = {"body": body, "public": public}
        await self._call(
            "PUT", f"/api/v2/tickets/{ticket_id}.json", {"ticket": {"comment": comment}}
        )
