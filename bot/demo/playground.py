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
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from bot.config import load_config
from bot.core.clock import SteerableClock
from bot.core.errors import StartupError
from bot.demo.harness import epoch_seconds, running
from bot.demo.playground_cast import PlaygroundCast
from bot.demo.playground_controls import PlaygroundControls
from bot.demo.script import flushed, until_stopped, web_settings
from sandbox import Sandbox, SlackDriver
from sandbox.playground import Playground

# How often the scheduler's jobs run while the clock runs (as `firebell serve`'s
# scheduler does); a jump runs them at once.
TICK_SECONDS = 5.0

Out = Callable[[str], None]


async def run_playground(
    config_path: Path | None = None,
    *,
    host: str = "127.0.0.1",
    port: int = 3030,
    database_url: str | None = None,
    out: Out = flushed,
) -> int:
    """Run until SIGINT or SIGTERM. A bad config or a taken port raises (ConfigError,
    StartupError) before anything listens."""
    logging.getLogger().setLevel(logging.WARNING)
    loaded = load_config(config_path) if config_path is not None else None
    if port:
        from bot.serving.startup import check_port

        check_port(host, port)
    clock = SteerableClock(datetime.now(UTC).replace(microsecond=0))
    sandbox = Sandbox(now=epoch_seconds(clock))
    cast = PlaygroundCast(sandbox.workspace, loaded)
    controls = PlaygroundControls(clock, cast.config)
    playground = Playground(sandbox, controls)
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
                playground.attach(SlackDriver(sandbox, h.bot_url))
                ticking = asyncio.create_task(_tick(controls))
                _announce(out, playground.url, host, h.bot_url, cast, config_path)
                try:
                    await until_stopped()
                finally:
                    ticking.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await ticking
                    await playground.detach()
    finally:
        await sandbox.stop()
    return 0


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
