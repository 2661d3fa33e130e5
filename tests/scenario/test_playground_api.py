"""The playground's API as its page uses it: App Home, a message's outbox item, the
transcript, the answers only one person sees; and clear refusals for what a page
should not send."""

from __future__ import annotations

from typing import Any

import aiohttp

from bot.demo.playground import playground


async def test_home_outbox_transcript_and_refusals(database_url: str) -> None:
    async with (
        playground(port=0, database_url=database_url) as run,
        aiohttp.ClientSession() as http,
    ):
        ws, dana = run.h.ws, run.cast.dana
        api = run.url + "api/"

        async def post(path: str, body: Any) -> tuple[int, dict[str, Any]]:
            async with http.post(api + path, json=body) as resp:
                return resp.status, await resp.json()

        async def state(user: str, channel: str = "") -> dict[str, Any]:
            async with http.get(api + "state", params={"user": user, "channel": channel}) as r:
                return dict(await r.json())

        assert (await post("home", {"user": dana.id}))[0] == 200
        await run.h.firebell.settle()
        assert (await state(dana.id))["home"]["type"] == "home"

        # /incident help: the answer shows to Dana only, in #support.
        support = run.cast.support.id
        await post("command", {"user": dana.id, "channel": support, "text": "help"})
        mine = [m for m in (await state(dana.id, support))["messages"] if m["ephemeral"]]
        assert mine and "Firebell commands" in mine[-1]["text"]
        sam = run.cast.on_call[0]
        assert not [m for m in (await state(sam.id, support))["messages"] if m["ephemeral"]]

        # A message Firebell posted carries its outbox key; the item is one click away.
        await post("command", {"user": dana.id, "channel": support, "text": "new"})
        view = await ws.wait_for(lambda: next(iter(ws.open_views_of(dana.id)), None))
        values = {"title": "Search is slow", "type": "outage", "severity": "minor"}
        status, answer = await post(
            "submit", {"user": dana.id, "view_id": view.id, "values": values}
        )
        assert status == 200 and answer["response_action"] is None
        await run.h.firebell.settle()
        room = next(c for c in ws.channels.values() if c.name.startswith("inc-1-"))
        card = ws.messages_in(room.id)[0]
        assert card.metadata is not None
        key = card.metadata["event_payload"]["key"]
        async with http.get(api + f"outbox/{key}") as resp:
            item = await resp.json()
        assert item["status"] == "done" and item["id"] == int(key.removeprefix("outbox-"))
        async with http.get(api + "transcript") as resp:
            assert "attachment" in resp.headers["Content-Disposition"]
            assert "# INC-1: Search is slow" in await resp.text()

        # Refused, with a reason: nobody, a stranger's view, a private channel, no JSON.
        assert (await post("message", {"user": "U404", "channel": support, "text": "hi"}))[0] == 400
        assert (await post("submit", {"user": sam.id, "view_id": view.id}))[0] == 404
        room.is_private = True
        status, answer = await post(
            "message", {"user": run.cast.admin.id, "channel": room.id, "text": "x"}
        )
        assert (status, answer) == (404, {"error": "no such channel"})
        async with http.post(api + "message", data=b"{") as resp:
            assert resp.status == 400 and (await resp.json())["error"] == "the body is not JSON"
        assert (await post("teleport", {"user": dana.id}))[0] == 404
