"""The web report form (`/report`), for people signed in with Slack: the modal's fields,
checked by the modal's rules (incidents/report_form.py), the browser's context, files,
and suggestions of similar issues while the title is typed (`/report/similar`).

It files through the one entry point (Filing.file) with the signed-in person as
reporter, so they get the modal's DMs; the form's hidden nonce is the idempotency key,
so a double submit files once."""

from __future__ import annotations

import hmac
import logging
import re
import secrets
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from aiohttp import web

from bot.core.domain import IssueType, Priority, Severity, label
from bot.core.ids import Field
from bot.incidents.card_context import VIA, VIA_WEB_FORM
from bot.incidents.file_rules import size_words
from bot.incidents.report_form import (
    SERVICE_MAX,
    TEXT_MAX,
    TITLE_MAX,
    TRACE_ID_MAX,
    FormErrors,
    parse_fields,
)
from bot.incidents.report_modal import SEVERITY_HINTS
from bot.reports.page_context import browser_context
from bot.triage.duplicates import similar_to_text
from bot.triage.search import SearchIndex
from bot.web.security import WEB_ROUTE, Person, bound_to, signed_in
from bot.web.upload_form import Garbled, read_form
from storage.db import Database

if TYPE_CHECKING:
    from datetime import datetime

    from bot.web.routes import WebApp

log = logging.getLogger(__name__)
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")
FILES = "files"  # the file input's name, and its errors' key
TYPED = [f.value for f in Field if f is not Field.PRIVATE]
SIMILAR_FROM = 3  # characters typed before suggestions are looked for


def _choices() -> dict[str, list[tuple[str, str, str]]]:
    return {
        "type": [(t.value, label(t.value), "") for t in IssueType],
        "severity": [(s.value, label(s.value), SEVERITY_HINTS[s]) for s in Severity],
        "priority": [(p.value, label(p.value), "") for p in Priority],
    }


def _form(
    w: WebApp,
    request: web.Request,
    person: Person,
    values: dict[str, Any],
    nonce: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> web.Response:
    rules = w.d.intake.file_limits()
    return w._page(
        request,
        "report.html",
        status,
        person=person,
        values=values,
        errors=errors or {},
        nonce=nonce,
        choices=_choices(),
        limits={
            "title": TITLE_MAX,
            "service": SERVICE_MAX,
            "text": TEXT_MAX,
            "trace_id": TRACE_ID_MAX,
        },
        accept=",".join(rules.accept()),
        max_size=size_words(rules.max_bytes),
    )


async def report_form(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    values: dict[str, Any] = {"title": request.query.get("title", "")[:TITLE_MAX]}
    return _form(w, request, person, values, secrets.token_urlsafe(24))


async def file_report(w: WebApp, request: web.Request) -> web.Response:
    person = await w._person(request)
    if w.d.filing is None:
        return w._refused(request, "Filing is not available here.", 503)
    try:
        posted = await read_form(request, w.d.intake.file_limits())
    except Garbled as exc:
        log.info("web: a report form that could not be read (%s)", exc)
        return w._refused(request, "That form could not be read; please reload and try again.", 400)
    fields = posted.fields
    sent = fields.get("csrf", "")
    if not hmac.compare_digest(sent.encode(), person.csrf.encode()):
        return w._refused(request, "That form had expired; please reload and try again.")
    nonce = fields.get("nonce", "")
    if not NONCE.fullmatch(nonce):
        return w._refused(request, "That form had expired; please reload and try again.", 400)
    values: dict[str, Any] = {name: fields.get(name, "") for name in TYPED}
    values[Field.PRIVATE.value] = fields.get(Field.PRIVATE.value) == Field.PRIVATE.value
    errors: dict[str, str] = {}
    try:
        draft = parse_fields(values, reporter_id=person.user_id)
    except FormErrors as exc:
        errors.update(exc.errors)
    if posted.refusals:
        errors[FILES] = " ".join(posted.refusals)
    if errors:
        # The files are not kept: the browser cannot be given them back, the page says so.
        status = 413 if posted.too_big else 400
        return _form(w, request, person, values, nonce, errors, status)
    context = browser_context(request.headers.get("User-Agent"), fields)
    draft = replace(
        draft,
        environment=draft.environment or context.environment(),
        context={**context.as_stored(), VIA: VIA_WEB_FORM},
        attachments=tuple(posted.files),
    )
    # One key per person and form: the same form sent twice is the same issue.
    filed = await w.d.db.run(w.d.filing.file, draft, f"web:{person.user_id}:{nonce}")
    if filed.created:
        log.info("web: %s filed by %s", filed.issue.key, person.user_id)
    raise web.HTTPSeeOther(f"/issues/{filed.issue.key}")


def _similar(
    db: Database, index: SearchIndex, text: str, user_id: str, now: datetime
) -> list[dict[str, Any]]:
    with db.session() as session:
        found = similar_to_text(session, index, text, user_id, now)
        return [
            {
                "key": str(i.key),
                "title": i.title,
                "status": label(i.status),
                "url": f"/issues/{i.key}",
                "why": "; ".join(alike.reasons),
            }
            for i, alike in found
        ]


async def similar(w: WebApp, request: web.Request) -> web.Response:
    """Issues like the typed title, as JSON; only for a signed-in person, and only those
    they may see."""
    person = await signed_in(request, w.d.clock) if w.oidc is not None else None
    if person is None:
        return web.json_response({"reason": "Sign in with Slack first."}, status=401)
    text = " ".join(request.query.get("q", "").split())[:TITLE_MAX]
    if w.d.search is None or len(text) < SIMILAR_FROM:
        return web.json_response({"issues": []})
    now = w.d.clock.now()
    found = await w.d.db.run(_similar, w.d.db, w.d.search, text, person.user_id, now)
    return web.json_response({"issues": found})


def add_report_routes(app: web.Application, w: WebApp) -> None:
    bound = bound_to(w)
    r = app.router
    r.add_get("/report", bound(report_form), name=WEB_ROUTE + "report")
    r.add_post("/report", bound(file_report), name=WEB_ROUTE + "file_report")
    r.add_get("/report/similar", bound(similar), name=WEB_ROUTE + "similar")
