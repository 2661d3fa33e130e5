"""The Web API client: points at SLACK_API_URL and honours Retry-After on 429s."""

from __future__ import annotations

import logging

from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock

MAX_RATE_LIMIT_RETRIES = 3


class RetryAfterHandler(AsyncRetryHandler):
    """Waits exactly what Slack's Retry-After says, on the injected clock, then retries.

    slack_sdk's own handler sleeps on the wall clock with jitter; going through
    our clock lets tests check the wait without waiting.
    """

    def __init__(self, clock: Clock, max_retry_count: int = MAX_RATE_LIMIT_RETRIES) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self.clock = clock

    async def _can_retry_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and response.status_code == 429

    async def prepare_for_next_attempt_async(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        seconds = 1
        for name, values in response.headers.items():
            if name.lower() == "retry-after" and values:
                try:
                    seconds = max(int(values[0]), 0)
                except ValueError:
                    seconds = 1
        state.next_attempt_requested = True
        await self.clock.sleep(seconds)
        state.increment_current_attempt()


def client_logger() -> logging.Logger:
    """slack_sdk formats every request for the debug log when its logger's own
    level is unset (it tests `logger.level <= DEBUG`, and NOTSET is 0), which
    costs ~0.15 ms per call with a modal's JSON. An explicit level stops that."""
    logger = logging.getLogger("firebell.slack_api")
    if logger.level == logging.NOTSET:
        logger.setLevel(max(logging.getLogger().getEffectiveLevel(), logging.INFO))
    return logger


def make_web_client(token: str, base_url: str, clock: Clock, timeout: float) -> AsyncWebClient:
    return AsyncWebClient(
        token=token,
        base_url=base_url,
        logger=client_logger(),
        timeout=timeout,  # type: ignore[arg-type]  # aiohttp takes fractions of a second
        # No retry on a broken connection: Slack may have done the work, and a blind
        # resend posts twice. The outbox retries instead, looking first (slack_steps.py).
        # A 429 is safe to retry: Slack did nothing.
        retry_handlers=[RetryAfterHandler(clock)],
    )
