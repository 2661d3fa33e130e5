"""Under systemd (Type=notify), `firebell serve` says READY=1 once it serves: the
first probe after the message is answered, none is needed before it."""

from __future__ import annotations

import asyncio
import socket
from pathlib import Path

import aiohttp

from sandbox import Sandbox
from tests.ports import free_port
from tests.processes import FIREBELL, FirebellProcess, firebell_env


async def test_serve_tells_systemd_ready_once_healthz_answers(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    config = tmp_path / "firebell.yml"
    config.write_text("{}\n")
    notify_path = tmp_path / "notify"
    env = firebell_env(
        sandbox, f"sqlite:///{tmp_path}/firebell.db", config, NOTIFY_SOCKET=str(notify_path)
    )
    env.pop("FIREBELL_TEST_DATABASE_URL", None)
    port = free_port()
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as systemd:
        systemd.bind(str(notify_path))
        systemd.setblocking(False)
        process = await asyncio.create_subprocess_exec(
            FIREBELL, "serve", "--host", "127.0.0.1", "--port", str(port), env=env
        )
        server = FirebellProcess(process, f"http://127.0.0.1:{port}")
        try:
            loop = asyncio.get_running_loop()
            message = await asyncio.wait_for(loop.sock_recv(systemd, 100), timeout=30)
            assert message == b"READY=1"
            async with aiohttp.ClientSession() as http, http.get(server.url + "/healthz") as answer:
                assert answer.status == 200
            assert await server.stop() == 0
        finally:
            await server.kill()
