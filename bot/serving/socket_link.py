"""The Socket Mode connection, told truthfully: a connection lost (or not made at
start) is retried with backoff, one warning line a try, and shows in /readyz until it
is back. A token Slack refuses at start never gets here (startup.check_app_token).

slack_sdk's own client logs a traceback and retries every few seconds, forever, whatever
Slack answered (even `invalid_auth`), and says nothing to /readyz."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient

from bot.serving.startup import BAD_TOKEN, slack_error

log = logging.getLogger(__name__)

BACKOFF_FIRST = 1.0  # seconds before the first retry, doubled each time
BACKOFF_MOST = 60.0


class RefusedToken(Exception):
    pass


class _OneLine(logging.Filter):
    """slack_sdk logs each failed websocket connect with its traceback; the reason will do."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.getMessage().startswith("Failed to connect"):
            record.exc_info = None
            record.exc_text = None
        return True


def sdk_logger() -> logging.Logger:
    """The logger slack_sdk's client writes to, without its connect tracebacks."""
    logger = logging.getLogger("firebell.socket_mode")
    if not any(isinstance(f, _OneLine) for f in logger.filters):
        logger.addFilter(_OneLine())
    return logger


class PatientSocketModeClient(SocketModeClient):
    """slack_sdk's aiohttp client; a new connection URL is asked for with backoff, and
    what went wrong last is kept for /readyz."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.problem: str | None = "not connected yet"

    async def open_url(self) -> str:
        """apps.connections.open once: a URL, or RefusedToken, or another exception."""
        try:
            response = await self.web_client.apps_connections_open(app_token=self.app_token)
        except SlackApiError as exc:
            code = slack_error(exc)
            if code in BAD_TOKEN:
                raise RefusedToken(code) from None
            raise
        return str(response["url"])

    async def issue_new_wss_url(self) -> str:
        delay = BACKOFF_FIRST
        while not self.closed:
            try:
                url = await self.open_url()
            except RefusedToken as exc:  # revoked while running: say so, keep trying
                why = f"Slack refused SLACK_APP_TOKEN ({exc})"
            except SlackApiError as exc:
                why = f"Slack answered apps.connections.open with {slack_error(exc)}"
            except Exception as exc:  # unreachable or timed out
                why = f"cannot reach Slack ({type(exc).__name__})"
            else:
                self.problem = None
                return url
            self.problem = f"Socket Mode is disconnected: {why}"
            log.warning("%s; trying again in %.0f s", self.problem, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, BACKOFF_MOST)
        raise ConnectionError("the Socket Mode client is closed")

    async def readiness(self) -> str | None:
        """None while connected; else why not, for /readyz."""
        if await self.is_connected():
            return None
        return self.problem or "Socket Mode is disconnected; reconnecting"


async def first_url(client: PatientSocketModeClient) -> str | None:
    """The first connection URL, asked once (start-up checked the token already): None
    when Slack does not give one now; the connection is then retried with backoff."""
    try:
        return await client.open_url()
    except RefusedToken as exc:
        why = f"Slack refused SLACK_APP_TOKEN ({exc})"
    except SlackApiError as exc:
        why = f"Slack answered apps.connections.open with {slack_error(exc)}"
    except Exception as exc:
        why = f"cannot reach Slack ({type(exc).__name__})"
    client.problem = f"Socket Mode is disconnected: {why}"
    log.warning("%s; connecting in the background", client.problem)
    return None
