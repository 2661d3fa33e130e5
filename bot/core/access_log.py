"""The HTTP access log, without the credentials some callers put in the query string.

Sentry cannot send headers, so the alert webhooks also accept `?token=…`; aiohttp's own
access log writes the whole request line, token included, for anyone who reads the logs.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote_plus

from aiohttp.abc import AbstractAccessLogger
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import StreamResponse

# The names credentials go by in query strings: OAuth's `access_token` (RFC 6750 2.3), the
# `api_token`, `auth`, `api_key` of other tools. A value under any other name is still
# masked when it is a configured secret (by value, bot/core/logs.py).
MASKED = frozenset(
    {
        "token",
        "key",
        "secret",
        "signature",
        "password",
        "access_token",
        "api_token",
        "api_key",
        "apikey",
        "auth",
        "auth_token",
        "client_secret",
        "refresh_token",
        "sig",
    }
)
MASK = "***"


def masked_target(target: str) -> str:
    """`/webhooks/sentry?token=abc&x=1` → `/webhooks/sentry?token=***&x=1`.

    Works on the raw request target, so the rest of the line is logged as it was sent. Names
    are compared decoded and case-insensitively (`?Token=`, `?to%6Ben=`): a caller that
    spells the name differently still sent a credential.
    """
    path, mark, query = target.partition("?")
    if not mark:
        return target
    fields = []
    for field in query.split("&"):
        name, equals, _value = field.partition("=")
        if equals and unquote_plus(name).strip().lower() in MASKED:
            field = f"{name}={MASK}"
        fields.append(field)
    return f"{path}?{'&'.join(fields)}"


class MaskingAccessLogger(AbstractAccessLogger):
    """Method, target (credentials masked), status, bytes sent (headers included, as
    aiohttp's `%b`) and seconds taken, one line a request.

    No Referer or User-Agent: a Referer can carry the same tokens. The fields also go in
    `extra`, as aiohttp's own logger does, for structured log handlers.
    """

    @property
    def enabled(self) -> bool:
        return self.logger.isEnabledFor(logging.INFO)

    def log(self, request: BaseRequest, response: StreamResponse, time: float) -> None:
        try:
            target = masked_target(request.raw_path)
            size = response.body_length
            self.logger.info(
                '"%s %s" %s %s %.6f',
                request.method,
                target,
                response.status,
                size,
                time,
                extra={
                    "method": request.method,
                    "path": target,
                    "status": response.status,
                    "size": size,
                    "seconds": time,
                },
            )
        except Exception:
            # A broken log line must not break the response it describes.
            self.logger.exception("Could not write the access log line")
