"""A free TCP port on loopback, for a process a test starts (firebell, Prometheus,
Alertmanager) that must be told its port before it listens."""

from __future__ import annotations

import socket


def free_port() -> int:
    """A port nothing listens on now. Another process could take it before ours binds
    it; on a test machine's loopback that has not happened, so no retry."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
