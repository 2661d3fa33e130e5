"""Start-up and shutdown of `firebell serve`, against a bare aiohttp app.

Each round starts a bare aiohttp app that imports aiohttp and answers /healthz,
then `firebell serve` on SQLite against the sandbox Slack, the same way: a new
process, timed from spawn to the first 200 on /healthz, then SIGTERM, timed to
exit. One warm-up start of each first (the page cache, and Firebell's first
start migrates the new database). Prints the medians, the ratio and the targets
(issue 20: start <= 1.0 s, SIGTERM to exit <= 2 s).
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "7"))
TARGET_START = 1.0
TARGET_EXIT = 2.0
WAIT = 30.0  # no start or exit is waited on longer than this
SECRET = "bench-signing-secret"
BOT_TOKEN = "xoxb-sandbox-bot-token"

BARE = """
import sys
from aiohttp import web

async def healthz(_request):
    return web.json_response({"ok": True})

app = web.Application()
app.router.add_get("/healthz", healthz)
web.run_app(app, host="127.0.0.1", port=int(sys.argv[1]), print=None)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/healthz", timeout=1) as resp:
            return bool(resp.status == 200)
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def one_start(args: list[str], env: dict[str, str], port: int) -> tuple[float, float]:
    """Seconds from spawn to /healthz 200, and from SIGTERM to exit."""
    url = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    proc = subprocess.Popen(
        args,
        env={**os.environ, **env},
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        while not healthy(url):
            if proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited {proc.returncode}: {proc.stderr.read()}")
            if time.perf_counter() - began > WAIT:
                raise RuntimeError(f"{url} did not answer /healthz within {WAIT:.0f} s")
            time.sleep(0.005)
        up = time.perf_counter() - began
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=WAIT)
        gone = time.perf_counter() - stopping
        if code != 0:
            raise RuntimeError(f"{args[0]} exited {code} after SIGTERM: {proc.stderr.read()}")
        return up, gone
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=WAIT)
        if proc.stderr is not None:
            proc.stderr.close()


def main() -> int:
    sandbox_proc = subprocess.Popen(
        ["nice", "-n", "15", sys.executable, "-m", "sandbox", "--no-validate"],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert sandbox_proc.stdout is not None
        sandbox = sandbox_proc.stdout.readline().strip().removeprefix("SANDBOX_URL=")
        if not sandbox.startswith("http"):
            raise RuntimeError("the sandbox did not start")
        env = {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": sandbox + "api/",
            "DATABASE_URL": f"sqlite:///{tempfile.mkdtemp(prefix='firebell-start-')}/start.db",
        }
        firebell = str(Path(sys.executable).with_name("firebell"))

        def firebell_args(port: int) -> list[str]:
            serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
            return [firebell, "--log-level", "WARNING", *serve]

        def bare_args(port: int) -> list[str]:
            return [sys.executable, "-c", BARE, str(port)]

        runs: dict[str, list[tuple[float, float]]] = {"bare aiohttp": [], "firebell serve": []}
        commands = {"bare aiohttp": bare_args, "firebell serve": firebell_args}
        for command in commands.values():  # warm-up, not counted
            port = free_port()
            one_start(command(port), env, port)
        print(f"start: {ROUNDS} alternating starts of each, spawn to /healthz 200, then SIGTERM")
        for _ in range(ROUNDS):
            for name, command in commands.items():
                port = free_port()
                runs[name].append(one_start(command(port), env, port))
        medians = {}
        for name, found in runs.items():
            starts = [s for s, _ in found]
            exits = [e for _, e in found]
            medians[name] = (statistics.median(starts), statistics.median(exits))
            print(
                f"  {name:15s} start median {medians[name][0]:.3f} s "
                f"({min(starts):.3f}-{max(starts):.3f})  SIGTERM to exit median "
                f"{medians[name][1]:.3f} s ({min(exits):.3f}-{max(exits):.3f})"
            )
        start, exit_ = medians["firebell serve"]
        ratio = start / medians["bare aiohttp"][0]
        print(
            f"  firebell/bare start ratio {ratio:.2f}; start {start:.3f} s "
            f"({'meets' if start <= TARGET_START else 'MISSES'} the target <= {TARGET_START} s); "
            f"SIGTERM to exit {exit_:.3f} s "
            f"({'meets' if exit_ <= TARGET_EXIT else 'MISSES'} the target <= {TARGET_EXIT} s)"
        )
        return 0
    finally:
        sandbox_proc.terminate()
        try:
            sandbox_proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            sandbox_proc.kill()
            sandbox_proc.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())
