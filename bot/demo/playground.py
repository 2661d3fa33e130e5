"""`firebell playground`: the sandbox Slack with its Slack-like web client, Firebell
against it, and a clock the page steers. One person plays every role in a browser.

Everything runs in this process on loopback; the database is a temporary SQLite file
unless --database-url names one. With --config the file is read as `firebell serve`
reads it (the same checks and errors); see playground_cast.py for its people.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from bot.config import FirebellConfig, load_config
from bot.core.clock import SteerableClock
from bot.core.errors import StartupError
from bot.demo.harness import Harness, epoch_seconds, running
from bot.demo.playground_cast import PlaygroundCast
from bot.demo.playground_controls import PlaygroundControls
from bot.demo.script import flushed, until_stopped, web_settings
from bot.serving.startup import check_port
from sandbox import Sandbox, SlackDriver
from sandbox.playground import Playground

# How often the scheduler's jobs run while the clock runs (as `firebell serve`'s
# scheduler does); a jump runs them at once.
TICK_SECONDS = 5.0

Out = Callable[[str], None]


@dataclass
class Running:
    """A playground that runs: its page's URL, Firebell and the sandbox (for tests)."""

    url: str
    h: Harness
    cast: PlaygroundCast
    controls: PlaygroundControls


@asynccontextmanager
async def playground(
    config: FirebellConfig | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 3030,
    database_url: str | None = None,
) -> AsyncIterator[Running]:
    """The sandbox with its page, and Firebell against it, until the block ends."""
    if port:
        check_port(host, port)
    bolt_log = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _QuietAboutMessages) for f in bolt_log.filters):
        bolt_log.addFilter(_QuietAboutMessages())
    clock = SteerableClock(datetime.now(UTC).replace(microsecond=0))
    sandbox = Sandbox(now=epoch_seconds(clock))
    cast = PlaygroundCast(sandbox.workspace, config, clock.now())
    controls = PlaygroundControls(clock, cast.config)
    page = Playground(sandbox, controls)
    try:
        await sandbox.start(host, port)
    except OSError as exc:
        raise StartupError(f"the playground cannot listen on {host}:{port}: {exc}") from None
    try:
        with tempfile.TemporaryDirectory(prefix="firebell-playground-") as tmp:
            url = database_url or f"sqlite:///{Path(tmp) / 'firebell.db'}"
            async with running(
                url, clock=clock, config=cast.config, sandbox=sandbox, **web_settings()
            ) as h:
                controls.attach(h)
                page.attach(SlackDriver(sandbox, h.bot_url))
                ticking = asyncio.create_task(_tick(controls))
                try:
                    yield Running(page.url, h, cast, controls)
                finally:
                    ticking.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ticking
                    await page.detach()
    finally:
        await sandbox.stop()


async def run_playground(
    config_path: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 3030,
    database_url: str | None = None,
    out: Out = flushed,
) -> int:
    """Run until SIGINT or SIGTERM. A bad config or a taken port raises (ConfigError,
    StartupError) before anything listens: the config is read as `firebell serve` reads it."""
    logging.getLogger().setLevel(logging.WARNING)
    config = load_config(config_path) if config_path is not None else None
    async with playground(config, host=host, port=port, database_url=database_url) as run:
        _announce(out, run.url, host, run.h.bot_url, run.cast, config_path)
        await until_stopped()
    return 0


class _QuietAboutMessages(logging.Filter):
    """Firebell listens to no plain `message` event, and Bolt warns (with sample code) at
    each one the page sends; in the playground those are expected."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'event': {'type': 'message'}" not in record.getMessage()


async def _tick(controls: PlaygroundControls) -> None:
    while True:
        await asyncio.sleep(TICK_SECONDS)
        await controls.tick()


def _announce(
    out: Out,
    url: str,
    host: str,
    board: str,
    cast: PlaygroundCast,
    config_path: Path | None,
) -> None:
    where = "this machine only" if host in {"127.0.0.1", "localhost", "::1"} else "the network"
    out(f"Firebell playground: {url}")
    out(f"    bound to {host} ({where}); Ctrl-C stops it and forgets everything")
    out(f"    config: {config_path or 'the playground own (Sam and Pat on call, Alex admin)'}")
    for note in cast.notes:
        out(f"    {note}")
    out(f"    Firebell's web app (sign in as a sandbox person): {board}/")
