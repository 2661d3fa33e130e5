"""Firebell and a sandbox Slack running together on loopback (for the demo and the tests)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from bot.app import Firebell, create_app
from bot.config import FirebellConfig, Settings
from bot.core.clock import Clock
from sandbox import Sandbox, SlackDriver, Workspace


@dataclass
class Harness:
    sandbox: Sandbox
    firebell: Firebell
    driver: SlackDriver
    bot_url: str

    @property
    def ws(self) -> Workspace:
        return self.sandbox.workspace


def sandbox_settings(sandbox: Sandbox, database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "slack_bot_token": sandbox.workspace.bot_token,
        "slack_signing_secret": sandbox.signing_secret,
        "slack_app_token": sandbox.workspace.app_token,
        "slack_api_url": sandbox.api_url,
        "database_url": database_url,
        # The demo and the tests run simulated time and call firebell.tick() themselves.
        "scheduler_enabled": False,
        **overrides,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def epoch_seconds(clock: Clock) -> Callable[[], float]:
    """The clock as the sandbox stamps messages with it: Slack ts and the bot's records
    then agree, on simulated time too."""
    return lambda: clock.now().timestamp()


@asynccontextmanager
async def serve_http(firebell: Firebell, port: int = 0) -> AsyncIterator[str]:
    """Run the bot's web app on a loopback port (a free one by default); yields its URL."""
    runner = web.AppRunner(firebell.web_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    host, port = runner.addresses[0][:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        await runner.cleanup()


@asynccontextmanager
async def running(
    database_url: str,
    *,
    clock: Clock | None = None,
    config: FirebellConfig | None = None,
    sandbox: Sandbox | None = None,
    port: int = 0,
    **overrides: Any,
) -> AsyncIterator[Harness]:
    """Sandbox + Firebell in HTTP mode, with a driver that signs requests."""
    own_sandbox = sandbox is None
    sandbox = sandbox or await Sandbox(now=epoch_seconds(clock) if clock else None).start()
    firebell = create_app(
        sandbox_settings(sandbox, database_url, **overrides), clock=clock, config=config
    )
    try:
        async with serve_http(firebell, port) as url:
            driver = SlackDriver(sandbox, url)
            try:
                yield Harness(sandbox, firebell, driver, url)
            finally:
                await driver.close()
    finally:
        if own_sandbox:
            await sandbox.stop()
