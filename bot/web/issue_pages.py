"""The issue page's actions and the search page: assign to me and status moves through
runtime.lifecycle (the same calls as the card's buttons), full-text search under the one
visibility rule, and people's names instead of Slack ids."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import Status, label
from bot.core.errors import FirebellError
from bot.incidents.card_extras import CardSettings
from bot.web import pages
from bot.web.oidc import SignInRefused
from bot.web.security import WEB_ROUTE, Person, bound_to, csrf_ok

if TYPE_CHECKING:
    from bot.web.routes import WebApp

log = logging.getLogger(__name__)
NAME_CACHE = timedelta(hours=1)
MAX_LOOKUPS = 30  # names read from Slack for one page; the rest show as ids


class Names:
    """People's names from Slack's users.info, kept an hour (a page names a few people)."""

    def __init__(self) -> None:
        self._known: dict[str, tuple[datetime, str]] = {}

    async def of(self, client: AsyncWebClient, ids: set[str], now: datetime) -> dict[str, str]:
        found: dict[str, str] = {}
        asked = 0
        for user_id in sorted(ids):
            cached = self._known.get(user_id)
            if cached and now - cached[0] < NAME_CACHE:
                found[user_id] = cached[1]
                continue
            if asked >= MAX_LOOKUPS:
                continue
            asked += 1
            try:
                user = (await client.users_info(user=user_id)).get("user") or {}
            except Exception:  # SlackApiError, network: the id stands in
                log.info("no name for %s", user_id)
                continue
            profile = user.get("profile") or {}
            name = str(
                user.get("real_name")
                or profile.get("real_name")
                or profile.get("display_name")
                or user.get("name")
                or user_id
            )
            self._known[user_id] = (now, name)
            found[user_id] = name
        return found


def _named(names: dict[str, str]) -> Any:
    def name(user_id: str | None, fallback: str = "nobody") -> str:
        if not user_id:
            return fallback
        return names.get(user_id) or pages.person(user_id)

    return name


def _with_names(text: str, names: dict[str, str]) -> str:
    return pages.MENTION.sub(lambda m: "@" + names.get(m[1], m[1]), text)


def _chosen(request: web.Request) -> dict[str, str]:
    chosen = {f: request.query.get(f, "")[:80] for f in pages.FILTERS}
    chosen["mine"] = "1" if request.query.get("mine") else ""
    return chosen


async def board(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    data = await w.d.db.run(pages.board, w.d.db, person.user_id, _chosen(request), w.d.clock.now())
    data.view = "table" if request.query.get("view") == "table" else "columns"
    names = await w.names.of(w.d.client, data.user_ids, w.d.clock.now())
    return w._page(request, "board.html", person=person, board=data, name=_named(names))


async def search(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    query = request.query.get("q", "")[:300]
    data = None
    if w.d.search is not None and query.strip():
        data = await w.d.db.run(
            pages.search,
            w.d.db,
            w.d.search,
            query,
            person.user_id,
            _chosen(request),
            w.d.clock.now(),
        )
    names = await w.names.of(w.d.client, data.user_ids if data else set(), w.d.clock.now())
    return w._page(request, "search.html", person=person, board=data, q=query, name=_named(names))


async def render_issue(
    w: WebApp,
    request: web.Request,
    person: Person,
    number: int | None,
    refusal: str | None = None,
) -> web.Response:
    page = None
    if number is not None:
        try:
            at = max(int(request.query.get("page", "1")), 1)
        except ValueError:
            at = 1
        everything = bool(request.query.get("all"))
        settings = w.d.settings
        card = CardSettings(web_base=settings.firebell_base_url)
        now = w.d.clock.now()
        page = await w.d.db.run(
            pages.issue_page, w.d.db, number, person.user_id, now, at, everything, card
        )
    if page is None:
        return w._not_found(request, person)
    names = await w.names.of(w.d.client, page.user_ids, w.d.clock.now())
    channel = None
    if page.issue.channel_id:
        try:
            team = await w._bot_team()
            channel = f"https://app.slack.com/client/{team}/{page.issue.channel_id}"
        except SignInRefused:
            channel = None
    return w._page(
        request,
        "issue.html",
        409 if refusal else 200,
        person=person,
        page=page,
        name=_named(names),
        words=lambda text: _with_names(text, names),
        channel_url=channel,
        refusal=refusal,
        label=label,
    )


async def issue(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    return await render_issue(w, request, person, await w._number(request))


async def _act(w: WebApp, request: web.Request, call: Any, *args: Any) -> web.Response:
    """A form on the issue page: CSRF, the visibility rule, then the lifecycle's call;
    its refusal words are shown on the page."""
    person = await w._person(request)
    if not await csrf_ok(request, person):
        return w._refused(request, "That form had expired; please reload and try again.")
    number = await w._number(request)
    found = None
    if number is not None:
        found = await w.d.db.run(pages.visible_issue, w.d.db, number, person.user_id)
    if found is None or found.id is None:
        return w._not_found(request, person)
    actor = await w.d.people.actor(w.d.client, person.user_id)
    try:
        changed = await w.d.db.run(call, found.id, actor, *args)
    except FirebellError as exc:
        return await render_issue(w, request, person, number, refusal=str(exc))
    log.info("web: %s by %s", changed.message, person.user_id)
    raise web.HTTPSeeOther(f"/issues/{found.key}")


async def acknowledge(w: WebApp, request: web.Request) -> web.Response:
    return await _act(w, request, w.d.lifecycle.acknowledge)


async def assign_me(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    return await _act(w, request, w.d.lifecycle.assign, person.user_id)


async def move(w: WebApp, request: web.Request) -> web.Response:
    form = await request.post()
    try:
        target = Status(str(form.get("status", "")))
    except ValueError:
        person = await w._person(request)
        return await render_issue(
            w, request, person, await w._number(request), refusal="There is no such status."
        )
    return await _act(w, request, w.d.lifecycle.move_status, target)


def add_issue_page_routes(app: web.Application, w: WebApp) -> None:
    bound = bound_to(w)
    r = app.router
    r.add_get("/search", bound(search), name=WEB_ROUTE + "search")
    r.add_post("/issues/{key}/assign", bound(assign_me), name=WEB_ROUTE + "assign")
    r.add_post("/issues/{key}/status", bound(move), name=WEB_ROUTE + "status")
