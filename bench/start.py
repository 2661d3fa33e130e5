"""Start-up and shutdown of `firebell serve`, against a bare aiohttp app.

Each round starts a bare aiohttp app that imports aiohttp and answers /healthz,
then `firebell serve` on SQLite against the sandbox Slack, the same way: a new
process, timed from spawn to the first 200 on /healthz, then SIGTERM, timed to
exit. One warm-up start of each first (the page cache, and Firebell's first
start migrates the new database). Prints the medians, the ratio and the targets
(issue 20: start <= 1.0 s, SIGTERM to exit <= 2 s). Beside each wall time, the CPU
seconds the process used until /healthz answered: on a shared machine that moves
less than the wall time. BENCH_BASELINE=/path/to/another/checkout adds that
checkout's `firebell serve` as a third contender (before/after a change, one run).
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU a process has used so far (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def one_start(args: list[str], env: dict[str, str], port: int) -> tuple[float, float, float]:
    """Seconds from spawn to /healthz 200, CPU seconds until then, SIGTERM to exit."""
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
        cpu = cpu_seconds(proc.pid)
        stopping = time.perf_counter()
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=WAIT)
        gone = time.perf_counter() - stopping
        if code != 0:
            raise RuntimeError(f"{args[0]} exited {code} after SIGTERM: {proc.stderr.read()}")
        return up, cpu, gone
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

        commands = {"bare aiohttp": (bare_args, env), "firebell serve": (firebell_args, env)}
        baseline = os.environ.get("BENCH_BASELINE")
        if baseline:  # its own database: the two may ship different migrations
            commands["baseline serve"] = (
                firebell_args,
                {**env, "PYTHONPATH": baseline, "DATABASE_URL": env["DATABASE_URL"] + "-baseline"},
            )
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in commands}
        for command, command_env in commands.values():  # warm-up, not counted
            port = free_port()
            one_start(command(port), command_env, port)
        print(f"start: {ROUNDS} alternating starts of each, spawn to /healthz 200, then SIGTERM")
        for _ in range(ROUNDS):
            for name, (command, command_env) in commands.items():
                port = free_port()
                runs[name].append(one_start(command(port), command_env, port))
        medians = {}
        for name, found in runs.items():
            starts, cpus, exits = ([row[i] for row in found] for i in range(3))
            medians[name] = tuple(statistics.median(v) for v in (starts, cpus, exits))
            print(
                f"  {name:15s} start median {medians[name][0]:.3f} s "
                f"({min(starts):.3f}-{max(starts):.3f}), CPU {medians[name][1]:.2f} s; "
                f"SIGTERM to exit median {medians[name][2]:.3f} s "
                f"({min(exits):.3f}-{max(exits):.3f})"
            )
        start, cpu, exit_ = medians["firebell serve"]
        ratio = start / medians["bare aiohttp"][0]
        cpu_ratio = cpu / medians["bare aiohttp"][1]
        print(
            f"  firebell/bare start ratio {ratio:.2f} (CPU {cpu_ratio:.2f}); "
            f"start {start:.3f} s "
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
