"""Start-up of `firebell playground`: from spawn until its page answers 200 (the URL is
printed just before), then SIGTERM to exit. One warm-up start first (the page cache);
prints the medians and the target (issue 25: the playground starts in <= 3 s).

    python bench/playground_start.py      (BENCH_ROUNDS=5 by default)
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
TARGET_START = 3.0
WAIT = 60.0  # no start or exit is waited on longer than this
FIREBELL = str(Path(sys.executable).with_name("firebell"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def one_start() -> tuple[float, float]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/playground/"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    began = time.perf_counter()
    process = subprocess.Popen(
        [FIREBELL, "playground", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            if time.perf_counter() - began > WAIT:
                raise SystemExit(f"the playground did not answer {url} within {WAIT} s")
            try:
                with urllib.request.urlopen(url, timeout=1) as answer:
                    if answer.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.02)
        started = time.perf_counter() - began
        stopping = time.perf_counter()
        process.send_signal(signal.SIGTERM)
        process.wait(WAIT)
        return started, time.perf_counter() - stopping
    finally:
        if process.poll() is None:
            process.kill()


def main() -> None:
    one_start()  # warm-up
    starts, exits = zip(*(one_start() for _ in range(ROUNDS)), strict=True)
    start, stop = statistics.median(starts), statistics.median(exits)
    print(f"firebell playground: start {start:.2f} s (median of {ROUNDS}), exit {stop:.2f} s")
    print(f"target: start <= {TARGET_START:.1f} s: {'met' if start <= TARGET_START else 'MISSED'}")


if __name__ == "__main__":
    main()
