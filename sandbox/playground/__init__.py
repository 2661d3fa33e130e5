"""The playground: a Slack-like web client served by the sandbox, for a person to drive.

The page (static/) reads the workspace through `GET /playground/api/state`, hears of
changes through server-sent events, and acts through the driver's signed requests, as
Slack would send them. What only the bot's side knows (its clock, webhooks, outbox)
comes through `Controls`, which whoever starts the playground passes in: the sandbox
still imports nothing from `bot`.
"""

from __future__ import annotations

import asyncio
import json
from functools import partial
from pathlib import Path
from typing import Any, Protocol

from aiohttp import web

from sandbox.driver import SlackDriver
from sandbox.playground.actions import Actions
from sandbox.playground.state import state_of
from sandbox.server import Sandbox
from sandbox.transcript import render

STATIC = Path(__file__).parent / "static"
KEEPALIVE_SECONDS = 15.0
# The page runs only our own files: no inline script, nothing from elsewhere.
CSP = (
    "default-src 'self'; img-src 'self' data: https: http:; style-src 'self'; "
    "script-src 'self'; connect-src 'self'; frame-ancestors 'none'"
)


class Controls(Protocol):
    """What the page asks of the bot's side: its clock, its webhooks, its outbox."""

    async def clock_state(self) -> dict[str, Any]: ...

    async def steer(self, action: str) -> dict[str, Any]: ...

    async def alert(self, status: str) -> dict[str, Any]: ...

    async def deploy(self, fixes: list[str]) -> dict[str, Any]: ...

    async def outbox_item(self, key: str) -> dict[str, Any] | None: ...


class Playground:
    """Routes on the sandbox's own server: the page under /playground/, its API below."""

    def __init__(self, sandbox: Sandbox, controls: Controls) -> None:
        """Before `sandbox.start()`: the page's routes go on the sandbox's server."""
        self.sandbox = sandbox
        self.ws = sandbox.workspace
        self.controls = controls
        self._actions: Actions | None = None  # once the bot answers (attach)
        self.closing = False
        sandbox.extra_routes.append(self.routes)
        sandbox.on_stop.append(self.close)

    @property
    def url(self) -> str:
        return self.sandbox.base_url + "playground/"

    def attach(self, driver: SlackDriver) -> None:
        """The bot runs: the page's actions go to it through this driver."""
        self._actions = Actions(self.sandbox, driver)

    async def detach(self) -> None:
        if self._actions is not None:
            await self._actions.driver.close()

    @property
    def actions(self) -> Actions:
        if self._actions is None:
            raise web.HTTPServiceUnavailable(
                text='{"error": "Firebell is still starting"}', content_type="application/json"
            )
        return self._actions

    def close(self) -> None:
        """End the event streams, so the server stops without waiting on them."""
        self.closing = True
        self.ws.changed()

    def routes(self, app: web.Application) -> None:
        app.router.add_get("/", self._to_page)
        app.router.add_get("/playground", self._to_page)
        app.router.add_get("/playground/", self._page)
        app.router.add_get("/playground/static/{name}", self._static)
        app.router.add_get("/playground/api/state", self._state)
        app.router.add_get("/playground/api/people", self._people)
        app.router.add_get("/playground/api/clock", self._clock_state)
        app.router.add_get("/playground/api/events", self._events)
        app.router.add_get("/playground/api/transcript", self._transcript)
        app.router.add_get("/playground/api/outbox/{key}", self._outbox)
        app.router.add_post("/playground/api/clock", self._clock)
        app.router.add_post("/playground/api/alert", self._alert)
        app.router.add_post("/playground/api/deploy", self._deploy)
        app.router.add_post("/playground/api/{action}", self._act)

    # -- the page ----------------------------------------------------------
    async def _to_page(self, _request: web.Request) -> web.Response:
        raise web.HTTPFound("/playground/")

    async def _page(self, _request: web.Request) -> web.FileResponse:
        return web.FileResponse(
            STATIC / "index.html",
            headers={"Content-Security-Policy": CSP, "Cache-Control": "no-store"},
        )

    async def _static(self, request: web.Request) -> web.FileResponse:
        name = request.match_info["name"]
        path = STATIC / name
        if "/" in name or name.startswith(".") or not path.is_file():
            raise web.HTTPNotFound()
        return web.FileResponse(path, headers={"Cache-Control": "no-store"})

    # -- reading -----------------------------------------------------------
    async def _state(self, request: web.Request) -> web.Response:
        user = request.query.get("user", "")
        if user not in self.ws.users:
            return _refused(404, f"no sandbox user {user!r}")
        state = state_of(self.ws, user, request.query.get("channel", ""), self.actions)
        state["clock"] = await self.controls.clock_state()
        return web.json_response(state)

    async def _people(self, _request: web.Request) -> web.Response:
        people = [
            {"id": u.id, "name": u.name, "real_name": u.real_name}
            for u in self.ws.users.values()
            if not u.is_bot
        ]
        return web.json_response({"people": people})

    async def _clock_state(self, _request: web.Request) -> web.Response:
        return web.json_response(await self.controls.clock_state())

    async def _events(self, request: web.Request) -> web.StreamResponse:
        """Server-sent events: one `data:` line per workspace change (the page then
        reads the state again); a comment now and then keeps proxies from closing it."""
        response = web.StreamResponse(
            headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"}
        )
        await response.prepare(request)
        seen = -1
        try:
            while not self.closing:
                if self.ws.version != seen:
                    seen = self.ws.version
                    await response.write(f"data: {seen}\n\n".encode())
                    continue
                try:
                    await self.ws.wait_for(partial(self._news, seen), KEEPALIVE_SECONDS)
                except TimeoutError:
                    await response.write(b": still here\n\n")
        except (ConnectionResetError, asyncio.CancelledError):
            pass
        return response

    def _news(self, seen: int) -> bool:
        return self.closing or self.ws.version != seen

    async def _transcript(self, _request: web.Request) -> web.Response:
        return web.Response(
            text=render(self.ws) + "\n",
            content_type="text/plain",
            headers={"Content-Disposition": 'attachment; filename="firebell-transcript.txt"'},
        )

    async def _outbox(self, request: web.Request) -> web.Response:
        item = await self.controls.outbox_item(request.match_info["key"])
        if item is None:
            return _refused(404, "no such outbox item")
        return web.json_response(item)

    # -- acting ------------------------------------------------------------
    async def _clock(self, request: web.Request) -> web.Response:
        body = await _json(request)
        answer = await self.controls.steer(str(body.get("action", "")))
        self.ws.changed()
        return web.json_response(answer, status=400 if "error" in answer else 200)

    async def _alert(self, request: web.Request) -> web.Response:
        body = await _json(request)
        status = str(body.get("status", "firing"))
        if status not in {"firing", "resolved"}:
            return _refused(400, "status is firing or resolved")
        answer = await self.controls.alert(status)
        self.ws.changed()
        return web.json_response(answer, status=400 if "error" in answer else 200)

    async def _deploy(self, request: web.Request) -> web.Response:
        body = await _json(request)
        fixes = body.get("fixes") or []
        if not isinstance(fixes, list) or not all(isinstance(f, str) for f in fixes):
            return _refused(400, "fixes is a list of issue keys")
        answer = await self.controls.deploy(fixes)
        self.ws.changed()
        return web.json_response(answer, status=400 if "error" in answer else 200)

    async def _act(self, request: web.Request) -> web.Response:
        body = await _json(request)
        status, answer = await self.actions.run(request.match_info["action"], body)
        return web.json_response(answer, status=status)


async def _json(request: web.Request) -> dict[str, Any]:
    try:
        body = json.loads(await request.text() or "{}")
    except ValueError:
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body is not JSON"}), content_type="application/json"
        ) from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(
            text=json.dumps({"error": "the body is a JSON object"}),
            content_type="application/json",
        )
    return body


def _refused(status: int, reason: str) -> web.Response:
    return web.json_response({"error": reason}, status=status)


__all__ = ["Controls", "Playground"]
