"""The public status page: `/status` (HTML), `/status/api/v2/summary.json` and
`/status/api/v2/incidents.json` (Atlassian Statuspage's JSON), `/status/feed.atom`.

Public: no sign-in, and served whether or not Sign in with Slack is configured. The
routes are named as the web app's, so they get its security headers; they never read
the session. Everything comes from bot/statuspage/board.py's one read, so only
published, non-private issues appear, and nothing names a person."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from aiohttp import web

from bot.core.durations import spoken_gap
from bot.core.http_problems import Problem
from bot.statuspage import statuspage_json
from bot.statuspage.atom import atom_feed
from bot.statuspage.board import Board, read_board
from bot.statuspage.config import StatusPageConfig
from bot.statuspage.words import INDICATOR, SHOWN
from bot.web.security import WEB_ROUTE
from storage.db import Database

if TYPE_CHECKING:
    from bot.web.routes import WebApp

NOT_SET_UP = "This Firebell has no status page (no status_page section in firebell.yml)."
# Other sites' pages and widgets read Statuspage's JSON from the browser, as they do
# from Statuspage itself; it is public data.
OPEN_TO_ALL = {"Access-Control-Allow-Origin": "*"}


def shown_time(moment: datetime) -> str:
    moment = moment.astimezone(UTC)
    return f"{moment:%b} {moment.day}, {moment:%H:%M} UTC"


def add_status_routes(app: web.Application, web_app: WebApp) -> None:
    d = web_app.d

    def page_url(request: web.Request) -> str:
        return (d.settings.firebell_base_url or str(request.url.origin())) + "/status"

    async def board() -> Board | None:
        config = d.status_page
        if config is None:
            return None
        return await d.db.run(_read, d.db, config, d.clock.now())

    async def page(request: web.Request) -> web.Response:
        found = await board()
        if found is None or d.status_page is None:
            return web_app._page(request, "status_off.html", 404, why=NOT_SET_UP)
        return web_app._page(
            request,
            "status.html",
            board=found,
            headline=INDICATOR[found.indicator],
            words=SHOWN,
            when=shown_time,
            kept=spoken_gap(d.status_page.keep_resolved),
        )

    async def json_of(request: web.Request, shape: str) -> web.Response:
        found = await board()
        if found is None:
            raise Problem(404, NOT_SET_UP, headers=OPEN_TO_ALL)
        make = statuspage_json.summary if shape == "summary" else statuspage_json.incidents
        return web.json_response(make(found, page_url(request)), headers=OPEN_TO_ALL)

    async def summary(request: web.Request) -> web.Response:
        return await json_of(request, "summary")

    async def incidents(request: web.Request) -> web.Response:
        return await json_of(request, "incidents")

    async def feed(request: web.Request) -> web.Response:
        found = await board()
        if found is None:
            raise Problem(404, NOT_SET_UP, headers=OPEN_TO_ALL)
        url = page_url(request)
        body = atom_feed(found, url, url + "/feed.atom")
        return web.Response(
            body=body, content_type="application/atom+xml", charset="utf-8", headers=OPEN_TO_ALL
        )

    r = app.router
    r.add_get("/status", page, name=WEB_ROUTE + "status_page")
    r.add_get("/status/api/v2/summary.json", summary, name=WEB_ROUTE + "status_summary")
    r.add_get("/status/api/v2/incidents.json", incidents, name=WEB_ROUTE + "status_incidents")
    r.add_get("/status/feed.atom", feed, name=WEB_ROUTE + "status_feed")


def _read(db: Database, config: StatusPageConfig, now: datetime) -> Board:
    with db.session() as session:
        return read_board(session, config, now)
