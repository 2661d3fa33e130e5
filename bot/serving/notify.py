"""systemd's readiness protocol (sd_notify), for `Type=notify` units.

systemd passes a unix datagram socket in NOTIFY_SOCKET; the service sends "READY=1"
once it serves. Ten lines of the protocol, instead of a dependency: without
NOTIFY_SOCKET (not under systemd) nothing is sent.
"""

from __future__ import annotations

import logging
import os
import socket

log = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send `state` ("READY=1", "STOPPING=1") to systemd; True when it was sent.
    A socket that cannot be reached is logged, never fatal: Firebell serves anyway."""
    address = os.environ.get("NOTIFY_SOCKET", "")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket: a leading NUL byte on Linux
        address = "\0" + address[1:]
    elif not address.startswith("/"):
        log.warning("NOTIFY_SOCKET %r is no unix socket path; systemd is not told", address)
        return False
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("cannot tell systemd %s through NOTIFY_SOCKET: %s", state, exc.strerror)
        return False
    return True


def ready(_banner: str = "") -> None:
    """The server listens and /healthz answers: tell systemd. aiohttp's run_app calls
    its `print` with a banner once every site is started, which is exactly then."""
    notify("READY=1")
