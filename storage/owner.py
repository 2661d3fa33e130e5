"""Who is using a SQLite database file: each Firebell process that serves holds a
shared lock on `<file>.lock` for its lifetime, and `firebell move-data` needs it
exclusively, so it never copies a database a process is still writing. The kernel
drops a killed process's lock. PostgreSQL needs none of this."""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO

from sqlalchemy.engine import make_url

from storage.db import normalise_url

_held: list[IO[bytes]] = []  # kept open for the life of the process


def lock_path(url: str) -> Path | None:
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        return None
    if parsed.database == ":memory:":
        return None
    return Path(parsed.database + ".lock")


def hold_shared(url: str) -> None:
    """For `serve` and `socket`: this process uses the file until it exits."""
    path = lock_path(url)
    if path is None:
        return
    handle = path.open("ab")
    fcntl.flock(handle, fcntl.LOCK_SH)
    _held.append(handle)


def try_exclusive(url: str) -> IO[bytes] | None:
    """For `move-data`: the lock, or None while any Firebell process uses the file."""
    path = lock_path(url)
    if path is None:
        return None
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise
    return handle
