"""RFC 6750: a bearer token comes with its scheme, `Bearer` in any case, or not at all."""

from __future__ import annotations

import pytest
from aiohttp.test_utils import make_mocked_request
from pydantic import SecretStr

from bot.core.bearer import require_bearer
from bot.core.http_problems import Problem

TOKEN = "a-token-of-32-characters-or-so-x"
TOKENS = {"ci": SecretStr(TOKEN)}


@pytest.mark.parametrize("header", [f"Bearer {TOKEN}", f"bearer {TOKEN}", f"BEARER  {TOKEN}"])
def test_the_scheme_is_read_in_any_case(header: str) -> None:
    request = make_mocked_request("GET", "/api/v1/issues", headers={"Authorization": header})
    assert require_bearer(request, TOKENS) == "ci"


@pytest.mark.parametrize(
    "header", [TOKEN, f"Basic {TOKEN}", f"Token {TOKEN}", f"Bearer{TOKEN}", "Bearer", ""]
)
def test_a_token_without_its_scheme_is_refused(header: str) -> None:
    request = make_mocked_request("GET", "/api/v1/issues", headers={"Authorization": header})
    with pytest.raises(Problem) as refused:
        require_bearer(request, TOKENS)
    assert refused.value.status == 401


def test_the_webhooks_query_token_stays_where_it_is_allowed() -> None:
    request = make_mocked_request("POST", f"/webhooks/sentry?token={TOKEN}")
    assert require_bearer(request, TOKENS, query_token=True) == "ci"
    with pytest.raises(Problem):
        require_bearer(request, TOKENS)
