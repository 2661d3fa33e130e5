"""The Web API client: points at SLACK_API_URL and honours Retry-After on 429s."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.async_handler import AsyncRetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.web.async_slack_response import AsyncSlackResponse

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


# Told of every Web API call: its method and "ok", Slack's error code, "http_<status>"
# or "exception" (create_app counts them for /metrics).
OnCall = Callable[[str, str], None]


def call_outcome(error: SlackApiError) -> str:
    response = error.response
    if response.status_code != 200:
        return f"http_{response.status_code}"
    data = response.data if isinstance(response.data, dict) else {}
    return str(data.get("error") or "unknown_error")


class ObservedWebClient(AsyncWebClient):
    """AsyncWebClient that reports each call's outcome; every method goes through api_call."""

    def __init__(self, on_call: OnCall, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.on_call = on_call

    async def api_call(self, api_method: str, **kwargs: Any) -> AsyncSlackResponse:
        try:
            response = await super().api_call(api_method, **kwargs)
        except SlackApiError as exc:
            self.on_call(api_method, call_outcome(exc))
            raise
        except Exception:
            self.on_call(api_method, "exception")
            raise
        self.on_call(api_method, "ok")
        return response


def make_web_client(
    token: str, base_url: str, clock: Clock, timeout: float, on_call: OnCall | None = None
) -> AsyncWebClient:
    if on_call is not None:
        return ObservedWebClient(on_call, **_client_options(token, base_url, clock, timeout))
    return AsyncWebClient(**_client_options(token, base_url, clock, timeout))


def _client_options(token: str, base_url: str, clock: Clock, timeout: float) -> dict[str, Any]:
    return dict(
        token=token,
        base_url=base_url,
        logger=client_logger(),
        timeout=timeout,  # aiohttp takes fractions of a second (slack_sdk says int)
        # No retry on a broken connection: Slack may have done the work, and a blind
        # resend posts twice. The outbox retries instead, looking first (slack_steps.py).
        # A 429 is safe to retry: Slack did nothing.
        retry_handlers=[RetryAfterHandler(clock)],
    )
