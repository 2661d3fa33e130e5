"""Sign in with Slack: the OpenID Connect client (authorization code flow).

The provider's endpoints come from its discovery document at the origin of
SLACK_API_URL (`https://slack.com/api/` -> `https://slack.com/.well-known/openid-configuration`),
so the sandbox is the provider in tests and the demo. The id_token is verified with
joserfc (signature against the provider's JWKS, issuer, audience, expiry, nonce); no
hand-made crypto here.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode, urlsplit

import aiohttp

from bot.core.clock import Clock

if TYPE_CHECKING:
    from joserfc.jwk import KeySet

USER_CLAIM = "https://slack.com/user_id"
TEAM_CLAIM = "https://slack.com/team_id"
SCOPES = "openid profile email"
TIMEOUT = aiohttp.ClientTimeout(total=10)


class SignInRefused(Exception):
    """A sign-in that cannot go on; the message says why, to the person."""


@dataclass(frozen=True)
class Identity:
    user_id: str
    name: str
    team_id: str
    email: str | None


def discovery_url(slack_api_url: str) -> str:
    parts = urlsplit(slack_api_url)
    return f"{parts.scheme}://{parts.netloc}/.well-known/openid-configuration"


class OidcClient:
    def __init__(self, slack_api_url: str, client_id: str, client_secret: str, clock: Clock):
        self.discovery_url = discovery_url(slack_api_url)
        self.client_id = client_id
        self.client_secret = client_secret
        self.clock = clock
        self._meta: dict[str, Any] | None = None
        self._keys: KeySet | None = None
        self._lock = asyncio.Lock()

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            async with aiohttp.ClientSession(timeout=TIMEOUT) as http, http.get(url) as resp:
                if resp.status != 200:
                    raise SignInRefused(f"Slack's sign-in service answered {resp.status}.")
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise SignInRefused("Slack's sign-in service cannot be reached just now.") from None
        if not isinstance(body, dict):
            raise SignInRefused("Slack's sign-in service answered something unexpected.")
        return body

    async def metadata(self) -> dict[str, Any]:
        async with self._lock:
            if self._meta is None:
                meta = await self._get_json(self.discovery_url)
                needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")
                if any(not isinstance(meta.get(k), str) for k in needed):
                    raise SignInRefused("Slack's sign-in discovery document is incomplete.")
                self._meta = meta
            return self._meta

    async def authorize_url(self, redirect_uri: str, state: str, nonce: str) -> str:
        meta = await self.metadata()
        query = {
            "response_type": "code",
            "scope": SCOPES,
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "state": state,
            "nonce": nonce,
        }
        endpoint = str(meta["authorization_endpoint"])
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{urlencode(query)}"

    async def exchange(self, code: str, redirect_uri: str) -> str:
        """The code for an id_token (client_secret_post, as Slack takes it)."""
        meta = await self.metadata()
        form = {
            "grant_type": "authorization_code",
            "client_id": self.client_id,
            "client_secret": self.client_secret,
            "code": code,
            "redirect_uri": redirect_uri,
        }
        try:
            async with (
                aiohttp.ClientSession(timeout=TIMEOUT) as http,
                http.post(str(meta["token_endpoint"]), data=form) as resp,
            ):
                body = await resp.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError):
            raise SignInRefused("Slack's sign-in service cannot be reached just now.") from None
        if not isinstance(body, dict) or body.get("ok") is False or "id_token" not in body:
            error = body.get("error") if isinstance(body, dict) else None
            raise SignInRefused(f"Slack refused the sign-in code ({error or 'no id_token'}).")
        return str(body["id_token"])

    async def _key_set(self, refresh: bool = False) -> KeySet:
        # joserfc (and cryptography under it) is imported at the first sign-in, not at
        # start: a tenth of `firebell`'s start-up went to it (bench/start.py).
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet

        if self._keys is None or refresh:
            meta = await self.metadata()
            try:
                self._keys = KeySet.import_key_set(await self._get_json(str(meta["jwks_uri"])))  # type: ignore[arg-type]
            except (JoseError, ValueError, KeyError, TypeError):
                raise SignInRefused("Slack's signing keys could not be read.") from None
        return self._keys

    async def verify(self, id_token: str, nonce: str) -> Identity:
        """The person an id_token names, after checking it in full; SignInRefused saying why."""
        from joserfc import jwt
        from joserfc.errors import (
            BadSignatureError,
            DecodeError,
            ExpiredTokenError,
            InvalidClaimError,
            JoseError,
            MissingClaimError,
        )

        meta = await self.metadata()
        try:
            token = jwt.decode(id_token, await self._key_set(), algorithms=["RS256"])
        except (ValueError, JoseError):
            # A key the provider rotated in since we read its keys: read them once more.
            try:
                token = jwt.decode(id_token, await self._key_set(True), algorithms=["RS256"])
            except BadSignatureError:
                raise SignInRefused("The sign-in token's signature is not Slack's.") from None
            except (ValueError, DecodeError, JoseError):
                raise SignInRefused("The sign-in token could not be read.") from None
        registry = jwt.JWTClaimsRegistry(
            now=int(self.clock.now().timestamp()),
            leeway=60,
            iss={"essential": True, "value": meta["issuer"]},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(token.claims)
        except ExpiredTokenError:
            raise SignInRefused("The sign-in token has expired; please sign in again.") from None
        except (InvalidClaimError, MissingClaimError) as exc:
            claim = getattr(exc, "claim", "")
            why = {
                "aud": "it was issued to another app",
                "iss": "it was issued by someone other than Slack",
                "nonce": "it does not belong to this sign-in (nonce)",
            }.get(claim, f"its {claim or 'claims'} did not check out")
            raise SignInRefused(f"The sign-in token was refused: {why}.") from None
        claims = token.claims
        user_id = str(claims.get(USER_CLAIM) or claims["sub"])
        return Identity(
            user_id=user_id,
            name=str(claims.get("name") or user_id),
            team_id=str(claims.get(TEAM_CLAIM) or ""),
            email=str(claims["email"]) if claims.get("email") else None,
        )
