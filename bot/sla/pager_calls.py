"""Calls to PagerDuty's Events API v2 and Opsgenie's Alerts API, for pages and for
what follows them.

One issue is one alert in each pager: PagerDuty's `dedup_key` and Opsgenie's
`alias` are both `firebell-INC-n`. Acknowledge and resolve name that key, so a
call repeated after a crash or a retry is harmless as the vendor sees it:
PagerDuty deduplicates by the key (acknowledging or resolving twice changes
nothing), and Opsgenie handles requests asynchronously, answering 202 for an
alert in any state and 404 for an alias it does not know (an alert deleted
there, or never created): nothing is left to acknowledge or close, so that is
done too. The keys are secrets: no log line or error names them.
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import aiohttp

from bot.core.outbox import DeliveryError
from bot.sla.config import PagingConfig
from bot.sla.kinds import PagerAction, PagerFollowUp
from bot.sla.targets import TargetKind
from storage.models import Issue

log = logging.getLogger(__name__)

OPSGENIE_ACTION = {PagerAction.ACKNOWLEDGE: "acknowledge", PagerAction.RESOLVE: "close"}
OPSGENIE_NOTE = {
    PagerAction.ACKNOWLEDGE: "Acknowledged in Firebell",
    PagerAction.RESOLVE: "Fixed or closed in Firebell",
}


def alert_key(issue: Issue) -> str:
    """The issue's PagerDuty dedup_key and Opsgenie alias."""
    return f"firebell-{issue.key}"


async def post_json(
    session: aiohttp.ClientSession | None,
    url: str,
    headers: dict[str, str],
    body: dict[str, Any],
    done_when: tuple[int, ...] = (),
) -> int:
    """POST to a pager; 2xx (and any status in `done_when`) is done, 429 and 5xx are
    retried, any other answer is refused for good. Returns the status."""
    own = session is None
    session = session or aiohttp.ClientSession()
    try:
        async with session.post(
            url, json=body, headers=headers, timeout=aiohttp.ClientTimeout(total=10)
        ) as resp:
            if resp.status in done_when:
                return resp.status
            if resp.status >= 500 or resp.status == 429:
                raise DeliveryError(f"pager answered {resp.status}")
            if resp.status >= 400:
                raise DeliveryError(
                    f"pager refused the request: {resp.status} {(await resp.text())[:200]}",
                    permanent=True,
                )
            return resp.status
    except (aiohttp.ClientError, TimeoutError) as exc:
        raise DeliveryError(f"pager unreachable: {exc}") from exc
    finally:
        if own:
            await session.close()


class PagerCalls:
    def __init__(self, paging: PagingConfig) -> None:
        self.paging = paging

    async def follow_up(
        self, session: aiohttp.ClientSession | None, issue: Issue, payload: PagerFollowUp
    ) -> None:
        try:
            action = PagerAction(payload.action)
        except ValueError:
            unknown = f"{payload.action!r} is not a pager action"
            raise DeliveryError(unknown, permanent=True) from None
        key = alert_key(issue)
        if payload.target == TargetKind.PAGERDUTY:
            await post_json(
                session,
                str(self.paging.pagerduty_url),
                {},
                {"routing_key": payload.id, "event_action": action.value, "dedup_key": key},
            )
        elif payload.target == TargetKind.OPSGENIE:
            base = str(self.paging.opsgenie_url).rstrip("/")
            url = f"{base}/{quote(key, safe='')}/{OPSGENIE_ACTION[action]}?identifierType=alias"
            status = await post_json(
                session,
                url,
                {"Authorization": f"GenieKey {payload.id}"},
                {"source": "firebell", "note": f"{OPSGENIE_NOTE[action]} ({issue.key})."},
                done_when=(404,),
            )
            if status == 404:
                log.info("Opsgenie has no alert %s to %s: nothing to do", key, action.value)
                return
        else:
            raise DeliveryError(f"{payload.target} is not a pager", permanent=True)
        log.info("%s told %s: %s", payload.target, key, action.value)
