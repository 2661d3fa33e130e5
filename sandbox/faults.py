"""Faults a test can switch on: rate limits, server errors and hangs, per method or for all.

- "ratelimit": answer 429 with Retry-After; nothing is done.
- "server_error": answer a bare 5xx; nothing is done.
- "timeout": nothing is done and no answer comes until the hold ends (then a 504).
- "late": the call is performed (the message posted, the channel created, the pin
  added) but its answer is held, so a client with a shorter timeout gives up
  although Slack did the work. After the hold the real answer is sent.

A held request ("timeout" or "late") waits until `Faults.release` is set (by `clear`)
or for `hold` seconds, whichever comes first; without `hold`, the server's cap.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["ratelimit", "server_error", "timeout", "late"]


@dataclass
class Fault:
    method: str  # a Web API method name, or "*" for every method
    kind: FaultKind
    times: int | None  # how many calls it affects; None until cleared
    retry_after: int = 1
    status: int = 500
    hold: float | None = None  # seconds a "timeout" or "late" call is held; None: until released


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.release = asyncio.Event()  # wakes requests held by a "timeout" or "late" fault

    def inject(
        self,
        method: str,
        kind: FaultKind,
        *,
        times: int | None = None,
        retry_after: int = 1,
        status: int = 500,
        hold: float | None = None,
    ) -> Fault:
        fault = Fault(
            method=method,
            kind=kind,
            times=times,
            retry_after=retry_after,
            status=status,
            hold=hold,
        )
        self._faults.append(fault)
        self.release.clear()
        return fault

    def clear(self) -> None:
        self._faults.clear()
        self.release.set()

    def take(self, method: str) -> Fault | None:
        """The fault that applies to this call, counting it down."""
        for fault in self._faults:
            if fault.method in (method, "*"):
                if fault.times is not None:
                    fault.times -= 1
                    if fault.times <= 0:
                        self._faults.remove(fault)
                return fault
        return None
