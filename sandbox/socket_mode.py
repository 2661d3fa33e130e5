"""Slack's Socket Mode side: a websocket that pushes envelopes and reads acks."""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

from aiohttp import WSMsgType, web

from sandbox.workspace import Workspace


class SocketHub:
    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.connections: list[web.WebSocketResponse] = []
        self._acks: dict[str, asyncio.Future[dict[str, Any]]] = {}

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        socket = web.WebSocketResponse(autoping=True)
        await socket.prepare(request)
        await socket.send_json(
            {
                "type": "hello",
                "num_connections": len(self.connections) + 1,
                "connection_info": {"app_id": "A0SANDBOX"},
            }
        )
        self.connections.append(socket)
        self.ws.changed()
        try:
            async for msg in socket:
                if msg.type == WSMsgType.TEXT:
                    self._on_ack(json.loads(msg.data))
        finally:
            self.connections.remove(socket)
        return socket

    def _on_ack(self, data: dict[str, Any]) -> None:
        future = self._acks.pop(data.get("envelope_id", ""), None)
        if future is not None and not future.done():
            future.set_result(data.get("payload") or {})

    async def send(
        self,
        envelope_type: str,
        payload: dict[str, Any],
        *,
        timeout: float = 5.0,
        retry_attempt: int = 0,
    ) -> dict[str, Any]:
        """Push one envelope to a connected app and return its ack payload."""
        await self.ws.wait_for(lambda: self.connections, timeout)
        envelope_id = str(uuid.uuid4())
        future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
        self._acks[envelope_id] = future
        await self.connections[0].send_json(
            {
                "envelope_id": envelope_id,
                "type": envelope_type,
                "payload": payload,
                "accepts_response_payload": envelope_type != "events_api",
                "retry_attempt": retry_attempt,
                "retry_reason": "timeout" if retry_attempt else "",
            }
        )
        return await asyncio.wait_for(future, timeout)

    async def close_all(self) -> None:
        for socket in list(self.connections):
            await socket.close()
