"""HMAC-SHA256 signatures of webhook bodies (GitHub's `X-Hub-Signature-256`, Jira's
`X-Hub-Signature`, PagerDuty's `X-PagerDuty-Signature`, Zendesk's base64 one over its
timestamp and the body), compared in constant time.

Header values are compared as bytes: aiohttp keeps undecodable header bytes as
surrogates (see core/bearer.py), and compare_digest compares only ASCII strings.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

from pydantic import SecretStr


def hex_digest(secret: SecretStr, raw: bytes) -> str:
    """The lowercase hex HMAC-SHA256 of the raw body with the secret."""
    return hmac.new(secret.get_secret_value().encode(), raw, hashlib.sha256).hexdigest()


def base64_digest(secret: SecretStr, raw: bytes) -> str:
    """The base64 HMAC-SHA256 of the raw bytes with the secret (Zendesk's form)."""
    digest = hmac.new(secret.get_secret_value().encode(), raw, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def any_matches(given: list[str], expected: str) -> bool:
    """True when any given signature equals the expected one; every one is compared, so
    the time taken does not say which matched."""
    want = expected.encode()
    found = False
    for signature in given:
        found |= hmac.compare_digest(signature.strip().encode("utf-8", "surrogatepass"), want)
    return found
