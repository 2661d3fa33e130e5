"""Our OpenID client against a provider we did not write: oidc-provider-mock (PyPI, a
Flask app on Authlib), configured as near to Slack's as it allows, so the client is not
only tested against our own stand-in (sandbox/oidc.py).

Like Slack's: the client is registered with its redirect URI and sends its secret in the
form (client_secret_post); the person's claims carry Slack's `https://slack.com/team_id`
and `https://slack.com/user_id`, their name and email. Unlike Slack's: its token endpoint
answers plain OAuth JSON (no `ok` key), which the client takes as it should.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import aiohttp
import pytest
from werkzeug.serving import make_server

from bot.core.clock import Clock, FakeClock, SystemClock
from bot.web.oidc import TEAM_CLAIM, USER_CLAIM, OidcClient, SignInRefused
from sandbox import Sandbox
from sandbox.oidc import CLIENT_ID, CLIENT_SECRET

with warnings.catch_warnings():
    # 0.3.4 imports authlib.jose, which Authlib 1.9 deprecates.
    import authlib.deprecate  # noqa: F401  (on import, sets its own warning to "always")

    warnings.simplefilter("ignore", DeprecationWarning)
    from oidc_provider_mock import User, app

TEAM = "T0FIREBELL"
DANA = User(
    sub="dana@example.com",
    claims={
        USER_CLAIM: "U0DANA",
        TEAM_CLAIM: TEAM,
        "name": "Dana Scully",
        "email": "dana@example.com",
    },
)
REDIRECT = "http://127.0.0.1:8080/auth/slack/callback"

# oidc-provider-mock 0.3.4 calls Authlib APIs that Authlib 1.9 deprecates; the suite turns
# warnings into errors, which inside the provider would be a 500 from its token endpoint.
pytestmark = pytest.mark.filterwarnings("ignore:get_jwt_config:DeprecationWarning")


@dataclass
class Provider:
    origin: str

    async def register(self, redirect_uri: str = REDIRECT) -> tuple[str, str]:
        """A client registered as Slack registers an app: its redirect URI, its secret
        sent in the form. Returns (client_id, client_secret)."""
        body = {"redirect_uris": [redirect_uri], "token_endpoint_auth_method": "client_secret_post"}
        async with (
            aiohttp.ClientSession() as http,
            http.post(f"{self.origin}/oauth2/clients", json=body) as resp,
        ):
            assert resp.status == 201, await resp.text()
            client = await resp.json()
        return str(client["client_id"]), str(client["client_secret"])

    def client(self, client_id: str, secret: str, clock: Clock | None = None) -> OidcClient:
        # The client finds the provider at the origin of SLACK_API_URL, as it finds Slack.
        return OidcClient(f"{self.origin}/api/", client_id, secret, clock or SystemClock())


@pytest.fixture
def provider() -> Iterator[Provider]:
    server = make_server(
        "127.0.0.1",
        0,
        app(require_client_registration=True, require_nonce=True, user_claims=[DANA]),
        threaded=True,
    )
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}")
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


async def approve(oidc: OidcClient, user: User, state: str, nonce: str) -> str:
    """Through the provider's consent page as the person would; returns the code."""
    url = await oidc.authorize_url(REDIRECT, state, nonce)
    async with aiohttp.ClientSession() as browser:
        async with browser.get(url) as page:
            assert page.status == 200, await page.text()
            assert user.sub in await page.text()  # offered on the consent page
        async with browser.post(url, data={"sub": user.sub}, allow_redirects=False) as resp:
            assert resp.status == 302, await resp.text()
            back = resp.headers["Location"]
    assert back.startswith(REDIRECT + "?")
    query = parse_qs(urlsplit(back).query)
    assert query["state"] == [state]
    return query["code"][0]


async def test_signs_in_through_a_third_party_provider(provider: Provider) -> None:
    client_id, secret = await provider.register()
    oidc = provider.client(client_id, secret)
    meta = await oidc.metadata()
    assert meta["issuer"] == provider.origin
    assert meta["token_endpoint"].startswith(provider.origin)

    url = await oidc.authorize_url(REDIRECT, "st4te", "n0nce")
    sent = parse_qs(urlsplit(url).query)
    assert sent["client_id"] == [client_id] and sent["scope"] == ["openid profile email"]

    code = await approve(oidc, DANA, "st4te", "n0nce")
    id_token = await oidc.exchange(code, REDIRECT)
    who = await oidc.verify(id_token, "n0nce")
    assert (who.user_id, who.team_id, who.name, who.email) == (
        "U0DANA",
        TEAM,
        "Dana Scully",
        "dana@example.com",
    )


async def test_a_code_is_good_once_and_a_wrong_secret_gets_nothing(provider: Provider) -> None:
    client_id, secret = await provider.register()
    oidc = provider.client(client_id, secret)
    code = await approve(oidc, DANA, "s", "n")
    await oidc.exchange(code, REDIRECT)
    with pytest.raises(SignInRefused, match=r"refused the sign-in code \(invalid_grant\)"):
        await oidc.exchange(code, REDIRECT)

    wrong = provider.client(client_id, "not-the-secret")
    code = await approve(wrong, DANA, "s", "n")
    with pytest.raises(SignInRefused, match=r"refused the sign-in code \(invalid_client\)"):
        await wrong.exchange(code, REDIRECT)


async def test_a_token_for_this_sign_in_only(provider: Provider) -> None:
    ours = provider.client(*await provider.register())

    # Issued by the same provider, to another app: refused, saying so.
    theirs = provider.client(*await provider.register())
    their_token = await theirs.exchange(await approve(theirs, DANA, "s", "n"), REDIRECT)
    assert (await theirs.verify(their_token, "n")).user_id == "U0DANA"
    with pytest.raises(SignInRefused, match="it was issued to another app"):
        await ours.verify(their_token, "n")

    # Ours, but from another sign-in (its nonce is not this one's).
    token = await ours.exchange(await approve(ours, DANA, "s", "first"), REDIRECT)
    with pytest.raises(SignInRefused, match=r"it does not belong to this sign-in \(nonce\)"):
        await ours.verify(token, "second")

    # Ours, kept past its expiry (the provider gives an hour).
    later = FakeClock(datetime.now(UTC) + timedelta(hours=2))
    late = provider.client(ours.client_id, ours.client_secret, later)
    with pytest.raises(SignInRefused, match="has expired; please sign in again"):
        await late.verify(token, "first")

    # Tampered with: the signature no longer matches the provider's key.
    head, body, sig = token.split(".")
    forged = ".".join((head, body, ("A" if sig[0] != "A" else "B") + sig[1:]))
    with pytest.raises(SignInRefused, match="signature is not Slack's"):
        await ours.verify(forged, "first")


async def test_the_provider_refuses_a_redirect_it_was_not_given(provider: Provider) -> None:
    oidc = provider.client(*await provider.register())
    url = await oidc.authorize_url("http://127.0.0.1:9/elsewhere", "s", "n")
    async with aiohttp.ClientSession() as browser, browser.get(url) as page:
        assert page.status == 400


async def test_slacks_own_refusal_still_refused() -> None:
    """The other shape of answer: Slack's `{"ok": false, "error": ...}` (the sandbox's)."""
    sandbox = await Sandbox().start()
    try:
        oidc = OidcClient(sandbox.api_url, CLIENT_ID, CLIENT_SECRET, SystemClock())
        with pytest.raises(SignInRefused, match=r"refused the sign-in code \(invalid_code\)"):
            await oidc.exchange("no-such-code", REDIRECT)
    finally:
        await sandbox.stop()
