"""The sandbox's HTTP server: Web API at /api/, response_url, and Socket Mode."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

from aiohttp import web

from sandbox.faults import Fault, Faults
from sandbox.methods import SlackError, WebApi
from sandbox.oidc import OpenIdProvider
from sandbox.paging import Pagers
from sandbox.socket_mode import SocketHub
from sandbox.workspace import Call, Workspace

JSON_ARGS = {"blocks", "view", "attachments", "files", "metadata"}
APP_TOKEN_METHODS = {"apps.connections.open"}
MAX_HANG_SECONDS = 30.0


MESSAGE_METHODS = {"chat.postMessage", "chat.update", "chat.postEphemeral"}


def busiest_second(ws: Workspace) -> int:
    """The most message posts and edits one channel received within any one second."""
    times: dict[str, list[float]] = {}
    for call in ws.calls:
        if call.method in MESSAGE_METHODS and call.ok:
            times.setdefault(str(call.args.get("channel")), []).append(call.at)
    busiest = 0
    for stamps in times.values():
        stamps.sort()
        start = 0
        for end, moment in enumerate(stamps):
            while moment - stamps[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
    return busiest


class Sandbox:
    """A running local Slack: `await Sandbox().start()`, then point SLACK_API_URL at `.api_url`."""

    def __init__(
        self,
        workspace: Workspace | None = None,
        *,
        signing_secret: str = "sandbox-signing-secret",
        validate_blocks: bool = True,
        now: Callable[[], float] | None = None,
    ) -> None:
        """`now` (epoch seconds) stamps messages; give the app's clock when it runs
        simulated time, so a message's ts and the app's records tell the same time."""
        self.validate_blocks = validate_blocks
        self.workspace = workspace or Workspace()
        if now is not None:
            self.workspace.now = now
        self.signing_secret = signing_secret
        self.faults = Faults()
        self.socket = SocketHub(self.workspace)
        self.pagers = Pagers()
        self.oidc = OpenIdProvider(self.workspace)  # Sign in with Slack (sandbox/oidc.py)
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        self.api: WebApi | None = None
        # Called before the server stops (the playground ends its event streams with it).
        self.on_stop: list[Callable[[], None]] = []
        # More routes on the same server (the playground's page and its API).
        self.extra_routes: list[Callable[[web.Application], None]] = []

    @property
    def api_url(self) -> str:
        return self.base_url + "api/"

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> Sandbox:
        app = web.Application()
        self.oidc.routes(app)  # before /api/{method}: openid.connect.* answer there
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{user}", self._response_url)
        app.router.add_post("/upload/{file_id}", self._upload)
        app.router.add_get("/files-pri/{key}/{name}", self._download)  # url_private
        app.router.add_get("/files-pri/{key}/download/{name}", self._download)
        app.router.add_get("/socket-mode", self.socket.handle)
        app.router.add_post("/sandbox/triggers", self._issue_triggers)
        app.router.add_get("/sandbox/summary", self._summary)
        self.pagers.routes(app)
        for add in self.extra_routes:
            add(app)
        self._runner = web.AppRunner(app)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        bound = self._runner.addresses[0]
        self.base_url = f"http://{bound[0]}:{bound[1]}/"
        self.oidc.origin = self.base_url.rstrip("/")
        self.api = WebApi(self.workspace, self.base_url, validate=self.validate_blocks)
        return self

    async def stop(self) -> None:
        for stopping in self.on_stop:
            stopping()
        self.faults.clear()
        await self.socket.close_all()
        if self._runner is not None:
            await self._runner.cleanup()

    def response_url_for(self, user_id: str) -> str:
        return f"{self.base_url}response/{user_id}"

    async def _upload(self, request: web.Request) -> web.Response:
        stored = self.workspace.files.get(request.match_info["file_id"])
        if stored is None:
            return web.Response(status=404, text="file_not_found")
        stored["content"] = await request.read()
        return web.Response(text=f"OK - {len(stored['content'])}")

    async def _download(self, request: web.Request) -> web.Response:
        assert self.api is not None
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() if auth.startswith("Bearer ") else ""
        status, body = self.api.download(request.match_info["key"], token)
        self.workspace.calls.append(
            Call("files.download", {"key": request.match_info["key"]}, status == 200, None, status)
        )
        self.workspace.changed()
        if status != 200:
            return web.Response(status=status, text=body.decode())
        return web.Response(body=body, content_type="application/octet-stream")

    async def _response_url(self, request: web.Request) -> web.Response:
        body = await request.json()
        # `?channel=` (the playground's payloads add it) says where the answer shows.
        where = {"channel": request.query["channel"]} if "channel" in request.query else {}
        self.workspace.responses.append({**body, **where, "user": request.match_info["user"]})
        self.workspace.changed()
        return web.Response(text="ok")

    # -- control endpoints for a sandbox running in another process (benchmarks) --
    async def _issue_triggers(self, request: web.Request) -> web.Response:
        body = await request.json()
        count = min(int(body.get("count", 1)), 10_000)
        ids = [self.workspace.issue_trigger(body["user"]) for _ in range(count)]
        return web.json_response({"trigger_ids": ids})

    async def _summary(self, _request: web.Request) -> web.Response:
        ws = self.workspace
        calls: dict[str, dict[str, int]] = {}
        for call in ws.calls:
            entry = calls.setdefault(call.method, {"ok": 0, "failed": 0})
            entry["ok" if call.ok else "failed"] += 1
        return web.json_response(
            {
                "busiest_channel_second": busiest_second(ws),
                "users": {u.name: u.id for u in ws.users.values()},
                "channels": {c.name: c.id for c in ws.channels.values() if not c.is_im},
                "views_opened": len(ws.views),
                "messages": len(ws.messages),
                "calls": calls,
            }
        )

    async def _read_args(self, request: web.Request) -> dict[str, Any]:
        args: dict[str, Any] = dict(request.query)
        raw = await request.text()
        if request.content_type == "application/json" and raw:
            args.update(json.loads(raw))
        elif raw:
            args.update(parse_qsl(raw, keep_blank_values=True))
        for key in JSON_ARGS & args.keys():
            if isinstance(args[key], str):
                try:
                    args[key] = json.loads(args[key])
                except ValueError:
                    pass  # left as a string: the validator will report it
        return args

    def _token_error(self, method: str, token: str) -> str | None:
        ws = self.workspace
        if not token:
            return "not_authed"
        if method in APP_TOKEN_METHODS:
            return None if token == ws.app_token else "invalid_auth"
        if token == ws.app_token:
            return "not_allowed_token_type"
        return None if token == ws.bot_token else "invalid_auth"

    async def _api(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        args = await self._read_args(request)
        auth = request.headers.get("Authorization", "")
        token = auth.removeprefix("Bearer ").strip() or str(args.pop("token", ""))
        args.pop("token", None)
        fault = self.faults.take(method)
        if fault is not None and fault.kind != "late":
            return await self._faulted(method, args, fault)
        result = self._answer(method, args, token)
        late = fault is not None
        call = Call(method, args, result["ok"], result.get("error"), late=late)
        self.workspace.calls.append(call)
        self.workspace.changed()
        if fault is not None:
            # "late": Slack did the work; the answer comes after the client has given up.
            await self._hold(fault)
        return web.json_response(result)

    def _answer(self, method: str, args: dict[str, Any], token: str) -> dict[str, Any]:
        assert self.api is not None
        handler = self.api.methods.get(method)
        error = "unknown_method" if handler is None else self._token_error(method, token)
        if error:
            return {"ok": False, "error": error}
        assert handler is not None
        try:
            return {"ok": True, **handler(args)}
        except SlackError as exc:
            result: dict[str, Any] = {"ok": False, "error": exc.code}
            if exc.messages:
                result["response_metadata"] = {"messages": exc.messages}
            return result

    async def _hold(self, fault: Fault) -> None:
        """Hold a request until the faults are cleared, or `fault.hold` seconds (capped)."""
        seconds = MAX_HANG_SECONDS if fault.hold is None else min(fault.hold, MAX_HANG_SECONDS)
        try:
            await asyncio.wait_for(self.faults.release.wait(), seconds)
        except TimeoutError:
            pass

    async def _faulted(self, method: str, args: dict[str, Any], fault: Fault) -> web.Response:
        ws = self.workspace
        if fault.kind == "ratelimit":
            ws.calls.append(Call(method, args, False, "ratelimited", 429))
            ws.changed()
            return web.json_response(
                {"ok": False, "error": "ratelimited"},
                status=429,
                headers={"Retry-After": str(fault.retry_after)},
            )
        if fault.kind == "server_error":
            ws.calls.append(Call(method, args, False, "server_error", fault.status))
            ws.changed()
            return web.Response(status=fault.status, text="upstream error")
        # "timeout": hold the request until the fault is cleared; the caller gives up first.
        ws.calls.append(Call(method, args, False, "timeout", 504))
        ws.changed()
        await self._hold(fault)
        return web.Response(status=504, text="timed out")
