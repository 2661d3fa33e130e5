"""Rate limits of the embedded reporter: per intake key (the site as a whole) and per
client address, with the `limits` package's moving window.

In memory, per process: with several replicas each one counts on its own, so a site
may get up to replicas x its rate. A report is rare, and the limits only keep one noisy
page or client from flooding the issue list; a shared store (Redis, which `limits` also
speaks) is a one-line change here when that stops being enough."""

from __future__ import annotations

import math
import time

from limits import RateLimitItemPerMinute
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

# One client address may use at most this share of its site's minute, so a single
# noisy client cannot close the form for every other visitor of the site.
ADDRESS_SHARE = 3


class RateLimits:
    def __init__(self) -> None:
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def retry_after(self, site: str, rate_per_minute: int, address: str) -> int | None:
        """Count one report; None when it may go through, else the seconds to wait."""
        per_site = RateLimitItemPerMinute(rate_per_minute)
        per_address = RateLimitItemPerMinute(max(1, rate_per_minute // ADDRESS_SHARE))
        checks = ((per_address, ("address", site, address)), (per_site, ("site", site)))
        for item, names in checks:
            if not self._limiter.test(item, *names):
                return self._wait(item, names)
        for item, names in checks:
            self._limiter.hit(item, *names)
        return None

    def _wait(self, item: RateLimitItemPerMinute, names: tuple[str, ...]) -> int:
        reset = self._limiter.get_window_stats(item, *names).reset_time
        return max(1, math.ceil(reset - time.time()))
