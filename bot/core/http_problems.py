"""One error path for HTTP: every refusal and every failure of a route is answered the
same way, as problem details (RFC 9457, `application/problem+json`).

Routes raise `Problem(status, detail)` (or aiohttp's own HTTP errors) and never build
an error response themselves; `answer_problems`, the middleware create_app registers,
renders it. Anything else a route raises is a bug: it is logged once, at ERROR with
its traceback and an error id bound to the log context, and answered 500 with that
id, so the caller can quote it and we can find the log line.

The body keeps `ok: false` and `error` (the detail again) beside the RFC's members,
because the webhooks and the API answered `{"ok": false, "error": ...}` before and
clients read it. Slack's /slack/events keeps its own refusals (core/slack_http.py):
Slack reads only the status.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from http import HTTPStatus
from typing import Any

from aiohttp import hdrs, web

from bot.core.errors import new_error_id
from bot.core.log_context import bound

log = logging.getLogger(__name__)

CONTENT_TYPE = "application/problem+json"
# No problem types of our own (yet): "about:blank" says the title is the HTTP phrase.
BLANK = "about:blank"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Problem(Exception):
    """A request refused: the status and the one sentence that says why (shown to the
    caller as `detail`, so it must hold nothing secret)."""

    def __init__(
        self,
        status: int,
        detail: str,
        *,
        title: str | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.title = title or phrase(status)
        self.headers = dict(headers or {})

    def response(self, **extra: Any) -> web.Response:
        body = {
            "type": BLANK,
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
            "ok": False,
            "error": self.detail,
            **extra,
        }
        return web.json_response(
            body, status=self.status, content_type=CONTENT_TYPE, headers=self.headers
        )


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def from_aiohttp(exc: web.HTTPException) -> Problem:
    """aiohttp's own refusals (no route 404, 405, a body over client_max_size 413), with
    the headers they carry (Allow) and their text when it says more than the phrase."""
    text = exc.text or ""
    detail = exc.reason if text in ("", f"{exc.status}: {exc.reason}") else text
    kept = {
        name: value
        for name, value in exc.headers.items()
        if name not in (hdrs.CONTENT_TYPE, hdrs.CONTENT_LENGTH)
    }
    return Problem(exc.status, detail, headers=kept)


@web.middleware
async def answer_problems(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Problems and aiohttp's HTTP errors as problem details; anything else a JSON 500
    with an error id that the log line carries too."""
    try:
        return await handler(request)
    except Problem as problem:
        return problem.response()
    except web.HTTPException as exc:
        if exc.status < 400:
            raise  # redirects and 304s are answers, not problems
        return from_aiohttp(exc).response()
    except Exception:
        error_id = new_error_id()
        with bound(error_id=error_id):
            # The path as sent (percent-encoded: no line breaks from a caller) without
            # its query string, which may hold a token (see core/access_log.py).
            path = request.rel_url.raw_path
            log.exception("%s %s failed, error id %s", request.method, path, error_id)
        unexpected = Problem(
            500,
            f"Something went wrong on Firebell's side (error id {error_id}). "
            "Retry, or quote the error id to whoever runs Firebell.",
        )
        return unexpected.response(error_id=error_id)
