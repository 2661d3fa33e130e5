"""The figures count private issues for everyone but name their services and alert
fingerprints only to those who may see them: `/api/v1/stats` per token,
`/incident stats` per person, the weekly digest never, /metrics never."""

from __future__ import annotations

import json
from typing import Any

import aiohttp

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from storage.models import Issue
from tests.helpers import GOOD_REPORT, issues, open_modal, run

SERVICE = "hr-payroll-db"
FINGERPRINT = "ssh-bruteforce-hr-db-CVE-2026-0001"
HOOK_TOKEN = "hook-token-0123456789"
TOKEN = "grafana-token-0123456789"
PRIVATE_TOKEN = "audit-token-0123456789"


async def file(h: Harness, user: User, channel: Channel, **answers: Any) -> None:
    view = await open_modal(h, user, channel)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, **answers})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def call(h: Harness, method: str, path: str, token: str, body: Any = None) -> str:
    headers = {"Authorization": f"Bearer {token}"}
    async with (
        aiohttp.ClientSession() as http,
        http.request(method, h.bot_url + path, headers=headers, json=body) as r,
    ):
        assert r.status in (200, 202), await r.text()
        text = await r.text()
    await h.firebell.settle()
    return text


async def stats(h: Harness, token: str, query: str = "") -> dict[str, Any]:
    found: dict[str, Any] = json.loads(await call(h, "GET", "/api/v1/stats" + query, token))
    return found["issues"]


async def test_private_services_and_fingerprints_are_counted_but_never_named(
    database_url: str, clock: FakeClock
) -> None:
    sandbox = await Sandbox().start()
    ws = sandbox.workspace
    dana, olga = ws.add_user("dana", "Dana"), ws.add_user("olga", "Olga")
    support = ws.add_channel("support", dana, olga, ws.bot)
    review = ws.add_channel("bug-review", dana, olga, ws.bot)
    config = FirebellConfig.model_validate(
        {
            "webhooks": {"tokens": {"generic": HOOK_TOKEN}},
            "api": {
                "tokens": {
                    "grafana": {"token": TOKEN},
                    "audit": {"token": PRIVATE_TOKEN, "private": True},
                }
            },
            "digest": {"channel": review.id, "day": "mon", "at": "09:00", "stale_after": "7d"},
        }
    )
    clock.advance(days=-1)  # the day before the Monday 09:00 digest
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox) as h:
            await file(h, dana, support, title="Checkout is slow")  # public, checkout-api
            await file(h, dana, support, title="Payroll DB", service=SERVICE, private=["private"])
            alert = {"fingerprint": FINGERPRINT, "title": "SSH brute force", "service": SERVICE}
            await call(h, "POST", "/webhooks/generic", HOOK_TOKEN, {"alerts": [alert]})
            # No alert route makes an issue private: the alert's issue is made so in storage.
            db = h.firebell.runtime.db
            with db.session() as session:
                paged = session.get(Issue, issues(db)[-1].id)
                assert paged is not None and paged.service == SERVICE
                paged.private = True
                session.add(paged)
            clock.advance(minutes=1)

            # A token without private access: counted, never named.
            outside = await stats(h, TOKEN)
            assert SERVICE not in json.dumps(outside) and FINGERPRINT not in json.dumps(outside)
            assert outside["filed"] == 3 and outside["private_not_named"] == 2
            assert outside["by_service"] == {"checkout-api": 1}
            assert outside["top_alert_fingerprints"] == []
            assert (await stats(h, TOKEN, f"?service={SERVICE}"))["filed"] == 0
            # A private token sees them named.
            inside = await stats(h, PRIVATE_TOKEN)
            assert inside["by_service"] == {SERVICE: 2, "checkout-api": 1}
            assert inside["private_not_named"] == 0
            assert [f["fingerprint"] for f in inside["top_alert_fingerprints"]] == [
                f"generic:{FINGERPRINT}"
            ]
            assert (await stats(h, PRIVATE_TOKEN, f"?service={SERVICE}"))["filed"] == 2

            # `/incident stats`: a service filter covers only the issues its reader sees.
            assert "*Filed*\\n3" in await run(h, olga, support, "stats 7d")
            olgas = await run(h, olga, support, f"stats 7d service {SERVICE}")
            assert "*Filed*\\n0" in olgas and "private issue" not in olgas
            assert "left out of a service's figures" in olgas
            danas = await run(h, dana, support, f"stats 7d service {SERVICE}")  # in INC-2
            assert "*Filed*\\n1" in danas and "Payroll DB" in danas

            # The digest and /metrics: never.
            clock.advance(days=1, minutes=-1)
            await h.firebell.tick()
            (digest,) = h.ws.messages_in(review.id)
            shown = digest.text + str(digest.blocks)
            assert "*Filed*\\n3" in shown
            assert SERVICE not in shown and FINGERPRINT not in shown
            async with aiohttp.ClientSession() as http, http.get(h.bot_url + "/metrics") as r:
                assert SERVICE not in await r.text()
    finally:
        await sandbox.stop()
