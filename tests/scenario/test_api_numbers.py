"""Numbers from outside the API reads (keys, cursors, limits) are ASCII digits within
a 32-bit column, or a 400/404 problem in our words: never a 500, never Python's text.
Run on both databases: PostgreSQL refuses a number past its integer column."""

from __future__ import annotations

import base64
from typing import Any

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.core.whole_numbers import NotAWholeNumber, read_int
from bot.demo.harness import running
from tests.helpers import file_another, people

TOKEN = "numbers-token-0123456789"
CONFIG = FirebellConfig.model_validate({"api": {"tokens": {"grafana": {"token": TOKEN}}}})
LIMIT_WORDS = "limit must be a whole number from 1 to 500"
CURSOR_WORDS = "cursor is not one this API gave out; start without it"


def cursor(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


async def test_keys_cursors_and_limits_out_of_shape_are_refused_in_our_words(
    database_url: str, clock: FakeClock
) -> None:
    async with running(database_url, clock=clock, config=CONFIG) as h:
        dana, _sam, support = people(h)
        await file_another(h, dana, support, title="Checkout fails with 502")

        async def get(path: str) -> tuple[int, str, Any]:
            auth = {"Authorization": f"Bearer {TOKEN}"}
            async with aiohttp.ClientSession(headers=auth) as http, http.get(h.bot_url + path) as r:
                return r.status, r.content_type, await r.json(content_type=None)

        for key in ("INC-²", "INC-١٢", "INC-999999999999", "INC-0"):
            status, kind, body = await get(f"/api/v1/issues/{key}")
            assert (status, kind) == (404, "application/problem+json"), (key, body)
            assert "this token may see" in body["detail"]
        cases = {
            "limit=²": LIMIT_WORDS,
            "limit=١٢": LIMIT_WORDS,  # int() reads it as 12: still not ours
            "limit=0": LIMIT_WORDS,
            "limit=501": LIMIT_WORDS,
            "limit=-1": LIMIT_WORDS,
            "limit=" + "9" * 5000: LIMIT_WORDS,
            f"cursor={cursor('v1:999999999999')}": CURSOR_WORDS,  # past PostgreSQL's integer
            f"cursor={cursor('v1:²')}": CURSOR_WORDS,
            f"cursor={cursor('v2:12')}": CURSOR_WORDS,
            "since=٢٠٢٦-٠١-٣١": "since must be a date like 2026-01-31",
        }
        for query, words in cases.items():
            status, kind, body = await get(f"/api/v1/issues?{query}")
            assert (status, kind) == (400, "application/problem+json"), (query, body)
            assert body["detail"] == words, query
        status, _, body = await get(f"/api/v1/issues?limit=500&cursor={cursor('v1:2147483647')}")
        assert status == 200 and [i["key"] for i in body["issues"]] == ["INC-1"]


@pytest.mark.parametrize("text", ["²", "١٢", "", " 1", "1 ", "1\n", "+1", "-1", "0x1", "1_0"])
def test_the_reader_takes_ascii_digits_only(text: str) -> None:
    with pytest.raises(NotAWholeNumber, match=r"^n must be a whole number from 0 to 99$"):
        read_int(text, "n", 0, 99)


def test_the_reader_keeps_to_its_bounds() -> None:
    assert read_int("007", "n", 1, 9) == 7
    for text in ("0", "10", "9" * 5000):
        with pytest.raises(NotAWholeNumber, match="from 1 to 9"):
            read_int(text, "n", 1, 9)
