"""What every web page shares: security headers, the signed-in person, CSRF tokens."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from aiohttp import web
from aiohttp.typedefs import Middleware
from aiohttp_session import Session, get_session

from bot.core.clock import Clock

WEB_ROUTE = "web."  # the web app's route names start with this
HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "object-src 'none'; base-uri 'none'; form-action 'self' https:; frame-ancestors 'none'"
    ),
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


@web.middleware
async def security_headers(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The headers on every answer of the web app's routes (pages, redirects, errors)."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:  # redirects raised by a page
        if _is_web(request):
            exc.headers.update(HEADERS)
            exc.headers["Cache-Control"] = "no-store"
        raise
    if _is_web(request):
        response.headers.update(HEADERS)
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def bound_to(owner: Any) -> Callable[[Any], Handler]:
    """Route handlers written as `handler(owner, request)`, bound to the running web app."""

    def bind(handler: Any) -> Handler:
        async def answer(request: web.Request) -> web.StreamResponse:
            return await handler(owner, request)

        return answer

    return bind


def only_web(middleware: Middleware) -> Middleware:
    """A middleware for the web app's routes only (Slack, webhooks and the API skip it)."""

    @web.middleware
    async def scoped(request: web.Request, handler: Handler) -> web.StreamResponse:
        if _is_web(request):
            return await middleware(request, handler)
        return await handler(request)

    return scoped


def _is_web(request: web.Request) -> bool:
    route = request.match_info.route
    return (route.name or "").startswith(WEB_ROUTE)


@dataclass(frozen=True)
class Person:
    """The signed-in person, from their session."""

    user_id: str
    name: str
    team_id: str
    csrf: str


async def signed_in(request: web.Request, clock: Clock) -> Person | None:
    """The session's person, or None (no session, a garbled or expired one)."""
    session = await get_session(request)
    user, expires = session.get("user"), session.get("expires")
    if not isinstance(user, str) or not isinstance(expires, int | float):
        return None
    if clock.now().timestamp() >= expires:
        session.invalidate()
        return None
    return Person(user, str(session.get("name", user)), str(session.get("team", "")), csrf(session))


def csrf(session: Session) -> str:
    """The session's CSRF token (made once per session)."""
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


async def csrf_ok(request: web.Request, person: Person) -> bool:
    form = await request.post()
    sent = form.get("csrf")
    return isinstance(sent, str) and hmac.compare_digest(sent, person.csrf)


def local_path(next_url: str | None) -> str:
    """Where to go after sign-in: a path on this site only, never another host."""
    if not next_url or not next_url.startswith("/") or next_url.startswith(("//", "/\\")):
        return "/"
    if any(c in next_url for c in "\r\n\\"):
        return "/"
    return next_url


def to_login(request: web.Request) -> web.HTTPFound:
    return web.HTTPFound("/login?next=" + quote(local_path(request.path_qs), safe="/"))
