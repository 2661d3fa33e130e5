"""Socket Mode: Slack pushes requests over a websocket; no public URL needed."""

from __future__ import annotations

import asyncio
import logging
import signal
from typing import Protocol

from aiohttp import web
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp

from bot.core.access_log import MaskingAccessLogger
from bot.serving.notify import ready
from bot.serving.runtime import Runtime


class Firebell(Protocol):
    """What Socket Mode needs of the app, which the caller (cli) builds: serving does
    not import the wiring."""

    runtime: Runtime
    bolt: AsyncApp

    async def start(self) -> None: ...
    async def stop(self) -> None: ...
    def web_app(self, *, slack_events: bool = True, lifespan: bool = True) -> web.Application: ...


log = logging.getLogger(__name__)


async def connect_socket_mode(firebell: Firebell, app_token: str) -> AsyncSocketModeHandler:
    """Start the outbox and connect; the caller closes the handler and stops the app."""
    await firebell.start()
    handler = AsyncSocketModeHandler(firebell.bolt, app_token)
    await handler.connect_async()
    return handler


async def run_socket_mode(firebell: Firebell, host: str = "0.0.0.0", port: int = 3000) -> None:
    """Slack over the websocket, and on `host:port` everything else `serve` offers
    (/healthz, /readyz, the webhooks, /metrics, the API): one process in all."""
    settings = firebell.runtime.settings
    assert settings.slack_app_token is not None
    handler = await connect_socket_mode(firebell, settings.slack_app_token.get_secret_value())
    runner = web.AppRunner(
        firebell.web_app(slack_events=False, lifespan=False),
        access_log_class=MaskingAccessLogger,
    )
    await runner.setup()
    await web.TCPSite(runner, host, port).start()
    log.info("Firebell in Socket Mode; probes, webhooks and the API on http://%s:%s", host, port)
    ready()  # systemd's Type=notify: connected to Slack and /healthz answers
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):  # stop as `serve` does: finish, release
        loop.add_signal_handler(signum, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()
        await handler.close_async()
        await firebell.stop()
