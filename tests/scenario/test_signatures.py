"""Only requests Slack signed are served."""

from __future__ import annotations

import time
from urllib.parse import urlencode

from bot.demo.harness import Harness
from tests.helpers import issues, people


async def test_forged_signature_is_rejected(h: Harness) -> None:
    dana, _, support = people(h)
    body = urlencode(h.driver.command_payload(dana, support, "new Fake"))
    reply = await h.driver.post_signed(
        body, "application/x-www-form-urlencoded", secret="not-the-signing-secret"
    )
    assert reply.status == 401
    assert h.ws.views == {} and issues(h.firebell.runtime.db) == []


async def test_timestamp_older_than_five_minutes_is_rejected(h: Harness) -> None:
    dana, _, support = people(h)
    body = urlencode(h.driver.command_payload(dana, support, "help"))
    stale = int(time.time()) - 6 * 60
    reply = await h.driver.post_signed(body, "application/x-www-form-urlencoded", timestamp=stale)
    assert reply.status == 401
    fresh = await h.driver.post_signed(body, "application/x-www-form-urlencoded")
    assert fresh.status == 200 and "Firebell commands" in fresh.text


async def test_healthz_answers(h: Harness) -> None:
    import aiohttp

    async with aiohttp.ClientSession() as session, session.get(h.bot_url + "/healthz") as resp:
        assert resp.status == 200 and (await resp.json()) == {"ok": True}
