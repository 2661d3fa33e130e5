"""Sign in with Slack, as the sandbox: an OpenID Connect provider at Slack's paths.

- `/.well-known/openid-configuration` at the sandbox's origin (the issuer is that origin);
- `/openid/connect/authorize`: a page listing the workspace's people to sign in as, or,
  with `login_hint=<user id>`, straight back to `redirect_uri` with a code and the state;
- `/api/openid.connect.token`: the code (single-use, ten minutes) for an access token and
  an id_token signed RS256 with a key made when first needed, answered as Slack does
  (`{"ok": true, ...}`); `/api/openid.connect.userInfo`; `/openid/connect/keys` (JWKS).

Tests change the next id_tokens' claims with `override` (a wrong audience, an expired
token, another workspace) to see the client refuse them.
"""

from __future__ import annotations

import base64
import html
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from aiohttp import web
from joserfc import jwt
from joserfc.jwk import RSAKey

from sandbox.workspace import User, Workspace

CLIENT_ID = "sandbox-client-id"
CLIENT_SECRET = "sandbox-client-secret"
CODE_SECONDS = 600
TOKEN_SECONDS = 3600


@dataclass
class Grant:
    user: str
    client_id: str
    redirect_uri: str
    nonce: str | None
    issued_at: float


class OpenIdProvider:
    def __init__(
        self, ws: Workspace, client_id: str = CLIENT_ID, client_secret: str = CLIENT_SECRET
    ) -> None:
        self.ws = ws
        self.client_id = client_id
        self.client_secret = client_secret
        self.origin = ""  # set when the sandbox listens: http://host:port
        self.codes: dict[str, Grant] = {}
        self.access: dict[str, str] = {}  # access token -> user id
        self.override: dict[str, Any] = {}  # claims put into the next id_tokens
        self._key: RSAKey | None = None

    @property
    def key(self) -> RSAKey:
        if self._key is None:  # 2048-bit RSA costs ~0.1 s: only sandboxes that sign in pay
            self._key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
            self._key.ensure_kid()
        return self._key

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/.well-known/openid-configuration", self._discovery)
        app.router.add_get("/openid/connect/authorize", self._authorize)
        app.router.add_get("/openid/connect/keys", self._keys)
        app.router.add_post("/api/openid.connect.token", self._token)
        app.router.add_route("*", "/api/openid.connect.userInfo", self._user_info)

    def discovery(self) -> dict[str, Any]:
        o = self.origin
        return {
            "issuer": o,
            "authorization_endpoint": f"{o}/openid/connect/authorize",
            "token_endpoint": f"{o}/api/openid.connect.token",
            "userinfo_endpoint": f"{o}/api/openid.connect.userInfo",
            "jwks_uri": f"{o}/openid/connect/keys",
            "scopes_supported": ["openid", "profile", "email"],
            "response_types_supported": ["code"],
            "response_modes_supported": ["form_post"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "auth_time", "iss"],
            "claims_parameter_supported": False,
            "request_parameter_supported": False,
            "request_uri_parameter_supported": True,
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
        }

    def claims(self, user: User, nonce: str | None) -> dict[str, Any]:
        now = int(self.ws.now())
        claims: dict[str, Any] = {
            "iss": self.origin,
            "sub": user.id,
            "aud": self.client_id,
            "exp": now + TOKEN_SECONDS,
            "iat": now,
            "auth_time": now,
            "https://slack.com/user_id": user.id,
            "https://slack.com/team_id": self.ws.team_id,
            "https://slack.com/team_domain": self.ws.domain,
            "email": user.email,
            "email_verified": True,
            "name": user.real_name,
            "given_name": user.real_name.split(" ")[0],
            "locale": "en-GB",
        }
        if nonce is not None:
            claims["nonce"] = nonce
        return {**claims, **self.override}

    def id_token(self, claims: dict[str, Any]) -> str:
        header = {"alg": "RS256", "kid": self.key.kid, "typ": "JWT"}
        return jwt.encode(header, claims, self.key)

    async def _discovery(self, _request: web.Request) -> web.Response:
        return web.json_response(self.discovery())

    async def _keys(self, _request: web.Request) -> web.Response:
        return web.json_response({"keys": [self.key.as_dict(private=False)]})

    async def _authorize(self, request: web.Request) -> web.Response:
        q = request.query
        if q.get("client_id") != self.client_id:
            return _page(400, "Unknown client_id: this app is not installed here.")
        if q.get("response_type") != "code" or "openid" not in q.get("scope", "").split():
            return _page(400, "Expected response_type=code and the openid scope.")
        redirect_uri = q.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return _page(400, "Missing redirect_uri.")
        user = self.ws.users.get(q.get("login_hint", ""))
        if user is None or user.is_bot:
            people = [u for u in self.ws.users.values() if not u.is_bot and not u.deleted]
            items = "".join(
                f'<li><a href="?{html.escape(urlencode({**q, "login_hint": u.id}))}">'
                f"{html.escape(u.real_name)} ({html.escape(u.name)})</a></li>"
                for u in people
            )
            return _page(200, f"Sign in to the sandbox workspace as:</p><ul>{items}</ul><p>")
        code = secrets.token_urlsafe(24)
        self.codes[code] = Grant(
            user.id, self.client_id, redirect_uri, q.get("nonce"), self.ws.now()
        )
        back = {"code": code, **({"state": q["state"]} if "state" in q else {})}
        sep = "&" if "?" in redirect_uri else "?"
        raise web.HTTPFound(f"{redirect_uri}{sep}{urlencode(back)}")

    async def _token(self, request: web.Request) -> web.Response:
        form = await request.post()
        client_id, secret = str(form.get("client_id", "")), str(form.get("client_secret", ""))
        if request.headers.get("Authorization", "").startswith("Basic "):
            raw = base64.b64decode(request.headers["Authorization"][6:]).decode()
            client_id, _, secret = raw.partition(":")
        if client_id != self.client_id or secret != self.client_secret:
            return web.json_response({"ok": False, "error": "invalid_client_id"})
        grant = self.codes.pop(str(form.get("code", "")), None)  # single-use
        if grant is None or self.ws.now() - grant.issued_at > CODE_SECONDS:
            return web.json_response({"ok": False, "error": "invalid_code"})
        if str(form.get("redirect_uri", "")) != grant.redirect_uri:
            return web.json_response({"ok": False, "error": "bad_redirect_uri"})
        access = "xoxp-" + secrets.token_hex(16)
        self.access[access] = grant.user
        claims = self.claims(self.ws.users[grant.user], grant.nonce)
        return web.json_response(
            {
                "ok": True,
                "access_token": access,
                "token_type": "Bearer",
                "id_token": self.id_token(claims),
                "expires_in": TOKEN_SECONDS,
            }
        )

    async def _user_info(self, request: web.Request) -> web.Response:
        token = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if not token:
            token = str((await request.post()).get("token", ""))
        user_id = self.access.get(token)
        if user_id is None:
            return web.json_response({"ok": False, "error": "invalid_auth"})
        claims = self.claims(self.ws.users[user_id], None)
        drop = {"iss", "aud", "exp", "iat", "auth_time", "nonce"}
        return web.json_response({"ok": True, **{k: v for k, v in claims.items() if k not in drop}})


def _page(status: int, body: str) -> web.Response:
    text = (
        "<!doctype html><html><head><title>Sign in to the sandbox</title>"
        '<link rel="icon" href="data:,"></head>'
        f"<body><h1>Sandbox Slack</h1><p>{body}</p></body></html>"
    )
    return web.Response(status=status, text=text, content_type="text/html")
