"""Faults a test can switch on: rate limits, server errors and hangs, per method or for all."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Literal

FaultKind = Literal["ratelimit", "server_error", "timeout"]


@dataclass
class Fault:
    method: str  # a Web API method name, or "*" for every method
    kind: FaultKind
    times: int | None  # how many calls it affects; None until cleared
    retry_after: int = 1
    status: int = 500


class Faults:
    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self.release = asyncio.Event()  # wakes requests held by a "timeout" fault

    def inject(
        self,
        method: str,
        kind: FaultKind,
        *,
        times: int | None = None,
        retry_after: int = 1,
        status: int = 500,
    ) -> Fault:
        fault = Fault(method=method, kind=kind, times=times, retry_after=retry_after, status=status)
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
