"""Real `firebell` processes for the tests that start them: the environment that points
one at the sandbox Slack, starting it and waiting until it answers, stopping it, and
waiting (bounded) on what it does in its own time."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import aiohttp

from sandbox import Sandbox
from tests.ports import free_port

FIREBELL = str(Path(sys.executable).with_name("firebell"))

# How often a test's process sweeps its outbox for retries and expired leases: the
# default 2 s (1 s here before) is most of what a test waits on after a retry falls due.
POLL_SECONDS = "0.2"

# Where a process's output goes: discarded, a pipe, or a file the test reads afterwards.
Output = int | IO[bytes]


def firebell_env(sandbox: Sandbox, database: str, config: Path, **extra: str) -> dict[str, str]:
    """This process's environment, pointing the child at the sandbox Slack, a database
    and a config file; `extra` adds to it (OUTBOX_POLL_SECONDS, LOG_FORMAT, ...)."""
    return {
        **os.environ,
        "SLACK_BOT_TOKEN": sandbox.workspace.bot_token,
        "SLACK_SIGNING_SECRET": sandbox.signing_secret,
        "SLACK_API_URL": sandbox.api_url,
        "DATABASE_URL": database,
        "FIREBELL_CONFIG": str(config),
        **extra,
    }


async def wait_for_http(url: str, what: str, attempts: int = 400, pause: float = 0.05) -> None:
    """Poll a starting process until `url` answers 200; bounded, it fails with `what`."""
    async with aiohttp.ClientSession() as http:
        for _ in range(attempts):
            try:
                async with http.get(url) as answer:
                    if answer.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(pause)
    raise AssertionError(f"{what} did not answer {url} in time")


@dataclass
class FirebellProcess:
    process: asyncio.subprocess.Process
    url: str  # http://127.0.0.1:port

    async def stop(self, timeout: float = 10) -> int:
        """SIGTERM, as an orchestrator stops it; the exit code."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
        return await asyncio.wait_for(self.process.wait(), timeout)

    async def kill(self) -> None:
        """SIGKILL when still running: no shutdown, whatever it held is left as it is."""
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()


async def start_firebell(
    env: dict[str, str],
    command: str = "serve",
    *,
    log_level: str = "WARNING",
    stderr: Output = asyncio.subprocess.DEVNULL,
    probe: str = "/healthz",
) -> FirebellProcess:
    """`firebell <command>` (serve or socket) on a free loopback port, returned once
    `probe` answers 200."""
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        *[FIREBELL, "--log-level", log_level, command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=stderr,
    )
    served = FirebellProcess(process, f"http://127.0.0.1:{port}")
    try:
        await wait_for_http(served.url + probe, f"firebell {command}")
    except BaseException:
        await served.kill()
        raise
    return served


async def run_firebell(
    *args: str, env: dict[str, str], timeout: float = 30, with_stdout: bool = False
) -> tuple[int, str]:
    """Run a short `firebell` command without blocking the loop (the sandbox Slack
    answers on it): its exit code and its stderr, or stdout and stderr together."""
    process = await asyncio.create_subprocess_exec(
        FIREBELL,
        *args,
        env=env,
        stdout=asyncio.subprocess.PIPE if with_stdout else asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.STDOUT if with_stdout else asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=timeout)
    return process.returncode or 0, (out if with_stdout else err).decode()


async def until(condition: Callable[[], object], seconds: float) -> float:
    """Wait for a condition a real process brings about, bounded; returns how long it took."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if condition():
            return time.monotonic() - started
        await asyncio.sleep(0.1)
    raise AssertionError(f"not within {seconds} s")
