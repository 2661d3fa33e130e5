"""The web app's routes on Firebell's HTTP port: sign-in with Slack, the board, issue pages.

Without SLACK_CLIENT_ID and SLACK_CLIENT_SECRET the web app is off: `/login` says so,
every other page sends there, and nothing else changes.
"""

from __future__ import annotations

import logging
import secrets
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp_jinja2
import aiohttp_session
import jinja2
from aiohttp import web
from aiohttp_session.cookie_storage import EncryptedCookieStorage
from cryptography.fernet import Fernet
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import Settings
from bot.core.clock import Clock
from bot.core.people import People
from bot.incidents.filing import Filing
from bot.incidents.lifecycle import Lifecycle
from bot.reports.config import IntakeConfig
from bot.reviews.followups import FollowUps
from bot.reviews.service import Reviews
from bot.sla.oncall import OnCall
from bot.statuspage.config import StatusPageConfig
from bot.triage.search import SearchIndex
from bot.web import issue_pages
from bot.web.insight_pages import add_insight_routes
from bot.web.oidc import OidcClient, SignInRefused
from bot.web.report_page import add_report_routes
from bot.web.review_pages import add_review_routes
from bot.web.security import (
    WEB_ROUTE,
    Person,
    csrf_ok,
    local_path,
    only_web,
    security_headers,
    signed_in,
    to_login,
)
from bot.web.status_pages import add_status_routes
from storage.db import Database
from storage.issue_key import IssueKey

log = logging.getLogger(__name__)
# aiohttp-session (2.12) keeps the session under plain string keys of the request, which
# aiohttp warns about; the keys are its own, and its answer is the same.
warnings.filterwarnings("ignore", category=web.NotAppKeyWarning, module="aiohttp_session")
HERE = Path(__file__).parent
COOKIE = "firebell_session"
STATE_SECONDS = 600  # a sign-in must come back within ten minutes


@dataclass
class WebDeps:
    """What the web app needs from the running Firebell (never the peer slices)."""

    settings: Settings
    db: Database
    clock: Clock
    client: AsyncWebClient
    lifecycle: Lifecycle
    people: People
    reviews: Reviews  # the Review and On call pages (review_pages.py) call these services
    followups: FollowUps
    oncall: OnCall
    search: SearchIndex | None = None
    filing: Filing | None = None  # the report form files through it (report_page.py)
    intake: IntakeConfig = field(default_factory=IntakeConfig)  # what files it takes
    status_page: StatusPageConfig | None = None  # the public /status (status_pages.py)


class WebApp:
    def __init__(self, deps: WebDeps) -> None:
        self.d = deps
        s = deps.settings
        self.oidc: OidcClient | None = None
        if s.web_enabled and s.slack_client_id and s.slack_client_secret is not None:
            secret = s.slack_client_secret.get_secret_value()
            self.oidc = OidcClient(s.slack_api_url, s.slack_client_id, secret, deps.clock)
        self._team: str | None = None
        self._used_states: dict[str, float] = {}  # single-use, within this process too
        self.names = issue_pages.Names()

    # -- wiring ---------------------------------------------------------------
    def install(self, app: web.Application) -> None:
        s = self.d.settings
        key = s.firebell_session_key
        if key is None and self.oidc is not None:
            log.warning(
                "FIREBELL_SESSION_KEY is not set: web sessions end when Firebell restarts "
                "(`firebell check-config` prints a key to set)"
            )
        fernet = Fernet(key.get_secret_value().encode() if key else Fernet.generate_key())
        base = s.firebell_base_url or ""
        storage = EncryptedCookieStorage(
            fernet,
            cookie_name=COOKIE,
            max_age=int(s.firebell_session_hours * 3600),
            httponly=True,
            samesite="Lax",
            secure=base.startswith("https://"),
        )
        app.middlewares.append(only_web(aiohttp_session.session_middleware(storage)))
        app.middlewares.append(security_headers)
        aiohttp_jinja2.setup(
            app, loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True
        )
        r = app.router
        r.add_get("/login", self.login, name=WEB_ROUTE + "login")
        r.add_get("/auth/callback", self.callback, name=WEB_ROUTE + "callback")
        r.add_post("/logout", self.logout, name=WEB_ROUTE + "logout")
        r.add_get("/", self.board, name=WEB_ROUTE + "board")
        r.add_get("/issues/{key}", self.issue, name=WEB_ROUTE + "issue")
        r.add_post("/issues/{key}/acknowledge", self.acknowledge, name=WEB_ROUTE + "ack")
        issue_pages.add_issue_page_routes(app, self)
        add_review_routes(app, self)
        add_insight_routes(app, self)
        add_report_routes(app, self)
        add_status_routes(app, self)  # public: no sign-in, on even when sign-in is off
        r.add_static("/static/", HERE / "static", name=WEB_ROUTE + "static")

    def _redirect_uri(self, request: web.Request) -> str:
        base = self.d.settings.firebell_base_url or str(request.url.origin())
        return base + "/auth/callback"

    def _page(
        self, request: web.Request, template: str, status: int = 200, **context: Any
    ) -> web.Response:
        return aiohttp_jinja2.render_template(template, request, context, status=status)

    def _refused(self, request: web.Request, why: str, status: int = 403) -> web.Response:
        return self._page(request, "refused.html", status, why=why, person=None)

    async def _person(self, request: web.Request) -> Person:
        person = await signed_in(request, self.d.clock) if self.oidc is not None else None
        if person is None:
            raise to_login(request)
        return person

    # -- sign-in --------------------------------------------------------------
    async def login(self, request: web.Request) -> web.Response:
        if self.oidc is None:
            return self._page(request, "off.html", 503, person=None)
        next_url = local_path(request.query.get("next"))
        if await signed_in(request, self.d.clock) is not None:
            raise web.HTTPFound(next_url)
        if "go" not in request.query:
            return self._page(request, "login.html", next_url=next_url, person=None)
        state, nonce = secrets.token_urlsafe(24), secrets.token_urlsafe(24)
        try:
            url = await self.oidc.authorize_url(self._redirect_uri(request), state, nonce)
        except SignInRefused as exc:
            return self._refused(request, str(exc), 502)
        session = await aiohttp_session.new_session(request)
        session["login"] = {
            "state": state,
            "nonce": nonce,
            "next": next_url,
            "until": time.time() + STATE_SECONDS,
        }
        raise web.HTTPFound(url)

    async def callback(self, request: web.Request) -> web.Response:
        if self.oidc is None:
            return self._page(request, "off.html", 503, person=None)
        session = await aiohttp_session.get_session(request)
        pending = session.pop("login", None)  # single-use: gone whatever happens next
        q = request.query
        if q.get("error"):
            return self._refused(request, f"Slack did not sign you in ({q['error'][:80]}).")
        if not isinstance(pending, dict) or time.time() > float(pending.get("until", 0)):
            return self._refused(request, "This sign-in has expired or was already used.", 400)
        state = str(pending.get("state", ""))
        if not secrets.compare_digest(q.get("state", ""), state) or state in self._used_states:
            return self._refused(request, "This sign-in did not start here (state).", 400)
        self._forget_states()
        self._used_states[state] = float(pending["until"])
        try:
            id_token = await self.oidc.exchange(q.get("code", ""), self._redirect_uri(request))
            who = await self.oidc.verify(id_token, str(pending.get("nonce", "")))
            team = await self._bot_team()
        except SignInRefused as exc:
            return self._refused(request, str(exc))
        if who.team_id != team:
            return self._refused(
                request, "You signed in with another Slack workspace than Firebell's."
            )
        session = await aiohttp_session.new_session(request)  # a fresh session
        session["user"], session["name"], session["team"] = who.user_id, who.name, who.team_id
        hours = self.d.settings.firebell_session_hours
        session["expires"] = self.d.clock.now().timestamp() + hours * 3600
        log.info("web sign-in by %s", who.user_id)
        raise web.HTTPFound(local_path(str(pending.get("next", "/"))))

    def _forget_states(self) -> None:
        now = time.time()
        for state in [s for s, until in self._used_states.items() if until < now]:
            del self._used_states[state]

    async def _bot_team(self) -> str:
        if self._team is None:
            try:
                answer = await self.d.client.auth_test()
            except Exception:  # SlackApiError, network: the page says so
                raise SignInRefused(
                    "Firebell cannot reach Slack to check your workspace."
                ) from None
            self._team = str(answer.get("team_id") or "")
        return self._team

    async def logout(self, request: web.Request) -> web.Response:
        person = await self._person(request)
        if not await csrf_ok(request, person):
            return self._refused(request, "That form had expired; please try again.")
        session = await aiohttp_session.get_session(request)
        session.invalidate()
        return self._page(request, "signed_out.html", person=None)

    # -- pages ----------------------------------------------------------------
    async def board(self, request: web.Request) -> web.Response:
        return await issue_pages.board(self, request)

    async def _number(self, request: web.Request) -> int | None:
        try:
            return IssueKey.parse(request.match_info["key"]).number
        except ValueError:  # NotAKey, NoSuchKey
            return None

    def _not_found(self, request: web.Request, person: Person) -> web.Response:
        return self._page(request, "not_found.html", 404, person=person)

    async def issue(self, request: web.Request) -> web.Response:
        return await issue_pages.issue(self, request)

    async def acknowledge(self, request: web.Request) -> web.Response:
        return await issue_pages.acknowledge(self, request)


def add_web_routes(app: web.Application, deps: WebDeps) -> WebApp:
    web_app = WebApp(deps)
    web_app.install(app)
    return web_app
