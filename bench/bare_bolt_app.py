"""The reference for bench/ack_latency.py: a bare slack-bolt app that acks `/incident`
and opens the same "Report an issue" modal (views.open), as Firebell does.

The same stack as Firebell's HTTP mode (AsyncApp behind aiohttp, bolt's own request
adapter and signature check), written to answer as soon as it acks: with
`process_before_response=True` the listener acks and opens the modal in a task after
(bolt's default instead polls for the ack every 10 ms, and its lazy listeners deep-copy
the client, which a pooled session cannot survive). Its Slack client keeps one pooled
HTTP session, as Firebell's does. The view is built per request by Firebell's own
builder, so both send the same JSON.
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from slack_bolt.adapter.aiohttp import to_aiohttp_response, to_bolt_request
from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.incidents.report_modal import ReportPrefill, report_modal


def build() -> web.Application:
    client = AsyncWebClient(
        token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]
    )
    bolt = AsyncApp(
        name="bare",
        client=client,
        signing_secret=os.environ["SLACK_SIGNING_SECRET"],
        process_before_response=True,
    )

    after_ack: set[asyncio.Task[Any]] = set()

    @bolt.command("/incident")
    async def ack_and_open_modal(ack: AsyncAck, body: dict[str, Any]) -> None:
        await ack()
        title = body.get("text", "").partition(" ")[2].strip()
        view = report_modal(ReportPrefill(title=title))
        task = asyncio.create_task(client.views_open(trigger_id=body["trigger_id"], view=view))
        after_ack.add(task)
        task.add_done_callback(after_ack.discard)

    async def events(request: web.Request) -> web.Response:
        return await to_aiohttp_response(await bolt.async_dispatch(await to_bolt_request(request)))

    async def healthz(_request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    async def pooled_session(_app: web.Application) -> Any:
        client.session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        yield
        await client.session.close()

    app = web.Application()
    app.router.add_post("/slack/events", events)
    app.router.add_get("/healthz", healthz)
    app.cleanup_ctx.append(pooled_session)
    return app


if __name__ == "__main__":
    web.run_app(build(), host="127.0.0.1", port=int(sys.argv[1]), print=None)
