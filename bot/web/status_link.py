"""Public pages for people outside the team: the embedded reporter's script (`/embed.js`)
and a reporter's status link (`/r/<token>`, and `/r/<token>.json`).

A status link shows its report's key and title, where it stands in a reporter's words
(incidents/status_words.py), when it was filed and the updates published for it
(statuspage/posts.py: none for a private issue). It names nobody. A merged report
shows the issue it was merged into, unless that one is private. A token that does
not exist and one whose issue is private get the same 404, byte for byte."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp_jinja2
from aiohttp import web
from sqlmodel import Session, select

from bot.core.domain import Status, label
from bot.core.http_problems import Problem
from bot.incidents.status_words import FOR_REPORTERS
from bot.statuspage.posts import public_updates
from bot.web.security import WEB_ROUTE
from storage.db import Database
from storage.models import Issue, ReportLink

HERE = Path(__file__).parent
TOKEN = re.compile(r"[A-Za-z0-9_-]{16,64}")
MERGES_FOLLOWED = 5  # a chain of merges is short; a loop must not hang the page
MISSING = "There is no such status link."


@dataclass(frozen=True)
class Update:
    at: datetime
    status: str
    body: str


@dataclass(frozen=True)
class ReportStatus:
    key: str  # the report as filed
    title: str
    filed_at: datetime
    status: str  # the status word (small print)
    words: str  # what it means for the reporter
    merged_into: str | None = None  # the key of the issue that carries it now
    updates: list[Update] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "title": self.title,
            "filed_at": self.filed_at.isoformat(),
            "status": self.status,
            "status_words": self.words,
            "merged_into": self.merged_into,
            "updates": [
                {"at": u.at.isoformat(), "status": u.status, "body": u.body} for u in self.updates
            ],
        }


def report_status(db: Database, token: str) -> ReportStatus | None:
    """The status behind a token; None for an unknown token and a private issue alike."""
    if TOKEN.fullmatch(token) is None:
        return None
    with db.session() as session:
        link = session.exec(select(ReportLink).where(ReportLink.token == token)).first()
        report = session.get(Issue, link.issue_id) if link else None
        if report is None or report.private:
            return None
        shown = _followed(session, report)
        return ReportStatus(
            key=str(report.key),
            title=report.title,
            filed_at=report.created_at,
            status=label(shown.status),
            words=FOR_REPORTERS[Status(shown.status)],
            merged_into=str(shown.key) if shown is not report else None,
            updates=[
                Update(post.posted_at, post.status, post.body)
                for post in public_updates(session, shown)
            ],
        )


def _followed(session: Session, issue: Issue) -> Issue:
    """The issue a merged report lives on as, while that one is not private."""
    for _ in range(MERGES_FOLLOWED):
        if issue.merged_into_id is None:
            break
        target = session.get(Issue, issue.merged_into_id)
        if target is None or target.private:
            break
        issue = target
    return issue


class PublicPages:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.script = (HERE / "static" / "embed.js").read_bytes()

    async def embed_js(self, _request: web.Request) -> web.Response:
        return web.Response(
            body=self.script,
            content_type="application/javascript",
            charset="utf-8",
            headers={
                "Cache-Control": "public, max-age=300",
                "X-Content-Type-Options": "nosniff",
                # Pages of any origin include it (the sites' CSPs decide, not ours).
                "Cross-Origin-Resource-Policy": "cross-origin",
            },
        )

    async def status(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        as_json = token.endswith(".json")
        found = await self.db.run(report_status, self.db, token.removesuffix(".json"))
        headers = {"X-Robots-Tag": "noindex", "Cache-Control": "no-store"}
        if as_json:
            if found is None:
                raise Problem(404, MISSING, headers=headers)
            return web.json_response(found.as_json(), headers=headers)
        response = aiohttp_jinja2.render_template(
            "status_link.html", request, {"report": found}, status=200 if found else 404
        )
        response.headers.update(headers)
        return response


def add_public_routes(app: web.Application, db: Database) -> None:
    pages = PublicPages(db)
    app.router.add_get("/embed.js", pages.embed_js)
    # A web route: the web app's security headers (CSP, no referrer to other sites).
    app.router.add_get("/r/{token}", pages.status, name=WEB_ROUTE + "status_link")
