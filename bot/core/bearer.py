"""The one bearer-token check for callers other than Slack: the API, /metrics and the
webhooks. (Slack's requests are signed instead: core/slack_http.py.)

Tokens are compared in constant time, as bytes: aiohttp keeps undecodable header bytes
as surrogates, which a plain encode() refuses, and compare_digest compares only ASCII
strings. Every configured token is compared, so the time taken does not say which one
matched.
"""

from __future__ import annotations

import hmac
from collections.abc import Mapping
from typing import TypeVar

from aiohttp import web
from pydantic import SecretStr

from bot.core.http_problems import Problem

UNAUTHORIZED = "missing or wrong bearer token"
Name = TypeVar("Name")


def bearer_token(authorization: str) -> str:
    """The token of an `Authorization` header, as RFC 6750 writes it: the scheme `Bearer`
    (in any case, RFC 9110 11.1), at least one space, the token. Any other header (a bare
    token, `Basic …`, `Bearer` alone) carries none: a token without its scheme is refused,
    not guessed at."""
    scheme, _, token = authorization.strip().partition(" ")
    return token.strip(" ") if scheme.lower() == "bearer" else ""


def presented(request: web.Request, *, query_token: bool = False) -> bytes:
    """The token the request carries: `Authorization: Bearer <token>`, or `?token=` where
    `query_token` allows it (Sentry cannot send headers)."""
    given = bearer_token(request.headers.get("Authorization", ""))
    if not given and query_token:
        given = request.query.get("token", "")
    return given.encode("utf-8", "surrogatepass")


def require_bearer(
    request: web.Request, tokens: Mapping[Name, SecretStr], *, query_token: bool = False
) -> Name:
    """The name of the configured token the request carries; else a 401 Problem."""
    given = presented(request, query_token=query_token)
    matched: list[Name] = []
    for name, token in tokens.items():
        if hmac.compare_digest(given, token.get_secret_value().encode()):
            matched.append(name)
    if not matched:
        raise Problem(401, UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return matched[0]
