"""GET /api/v1/issues and GET /api/v1/issues/INC-n: the issues as JSON or CSV, behind
the API tokens of firebell.yml.

A token marked `private: true` sees private issues; any other never does: they are
left out of lists and an unknown key and a private one get the same 404, so a key
is not confirmed. Lists page by cursor (newest first by id): a cursor is the last
id seen, opaque to clients. `q=` filters by the full-text index.
"""

from __future__ import annotations

import base64
import binascii
import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import urlencode

from aiohttp import web
from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.http_problems import Problem
from bot.core.ids import IssueKey
from bot.core.membership import open_to_anyone, public_only
from bot.core.timeline import event_words
from bot.core.whole_numbers import LARGEST_ID, NotAWholeNumber, read_int
from bot.incidents.rules import open_issues
from bot.insights.api import api_token
from bot.insights.config import ApiConfig
from bot.insights.figures import source_of
from storage.db import Database
from storage.models import Issue, TimelineEvent

DEFAULT_LIMIT, MAX_LIMIT = 100, 500


class SearchHit(Protocol):
    @property
    def issue_id(self) -> int: ...


class FullTextSearch(Protocol):
    """What `q=` needs of the full-text index (triage's SearchIndex, from create_app)."""

    def search(self, session: Session, query: str, limit: int) -> Sequence[SearchHit]: ...


FIELDS = (
    "key",
    "title",
    "type",
    "severity",
    "priority",
    "status",
    "service",
    "source",
    "private",
    "filed_at",
    "acknowledged_at",
    "fixed_at",
    "deployed_at",
    "closed_at",
)
# OWASP's CSV Injection rules: no cell may begin with = + - @, a tab, CR or LF (ASVS adds
# NUL). A separator or quote inside a cell begins another cell for a reader that splits on
# it (a `;` file where the decimal mark is a comma, a tab-separated one), so what follows
# one is a beginning too; spaces before it do not hide it. Fullwidth and other
# compatibility forms (`＝1+1`) count as their ASCII selves (NFKC), as spreadsheets may.
FORMULA_CHARACTERS = frozenset("=+-@\t\r\n\0")
CELL_SEPARATORS = frozenset(",;\t\r\n\"'")
SPACES = frozenset(" \u3000")


def _when(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if moment else None


def issue_json(issue: Issue) -> dict[str, Any]:
    return {
        "key": issue.key,
        "title": issue.title,
        "type": issue.type,
        "severity": issue.severity,
        "priority": issue.priority,
        "status": issue.status,
        "service": issue.service,
        "source": source_of(issue),
        "private": issue.private,
        "filed_at": _when(issue.created_at),
        "acknowledged_at": _when(issue.acknowledged_at),
        "fixed_at": _when(issue.fixed_at),
        "deployed_at": _when(issue.deployed_at),
        "closed_at": _when(issue.closed_at),
    }


def csv_cell(value: Any) -> str:
    """A CSV cell a spreadsheet reads as text, never runs: titles are user text.

    A formula at the cell's beginning gets OWASP's `'` in front of the cell; one after a
    separator or quote inside it gets a `'` of its own (`x;'=1+1`), so a reader that splits
    there finds text too. Every cell is also quoted (`as_csv`), for the readers that don't.
    """
    text = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    if _is_formula(text.lstrip("".join(SPACES))[:1]):
        return "'" + _after_separators(text)
    return _after_separators(text)


def _is_formula(character: str) -> bool:
    return unicodedata.normalize("NFKC", character)[:1] in FORMULA_CHARACTERS


def _after_separators(text: str) -> str:
    out: list[str] = []
    beginning = False  # just after a separator (and any spaces)
    for character in text:
        if beginning and _is_formula(character):
            out.append("'")
        out.append(character)
        beginning = character in CELL_SEPARATORS or (beginning and character in SPACES)
    return "".join(out)


def as_csv(rows: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    # Every cell quoted, quotes doubled (RFC 4180): a `;` or `,` in a title stays inside it.
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerow(FIELDS)
    for row in rows:
        writer.writerow([csv_cell(row[name]) for name in FIELDS])
    return out.getvalue()


def _cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{last_id}".encode()).decode().rstrip("=")


def _after(cursor: str) -> int:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    head, _, number = raw.partition(":")
    try:
        if head != "v1":
            raise NotAWholeNumber(head)
        return read_int(number, "cursor", 1, LARGEST_ID)  # past 32 bits: PostgreSQL refuses
    except NotAWholeNumber:
        raise ValueError("cursor is not one this API gave out; start without it") from None


class ListQuery:
    """The query string of GET /api/v1/issues, checked; ValueError says what works."""

    def __init__(self, query: Any) -> None:
        self.status = query.get("status", "all")
        if self.status not in ("open", "closed", "all"):
            raise ValueError("status must be open, closed or all")
        self.format = query.get("format", "json")
        if self.format not in ("json", "csv"):
            raise ValueError("format must be json or csv")
        self.limit = read_int(query.get("limit", str(DEFAULT_LIMIT)), "limit", 1, MAX_LIMIT)
        self.after = _after(query["cursor"]) if query.get("cursor") else None
        self.since = _since(query.get("since"))
        self.service = query.get("service") or None
        self.q = query.get("q") or None
        for name, value in (("service", self.service), ("q", self.q)):
            if value is not None and (len(value) > 300 or not value.isprintable()):
                raise ValueError(f"{name} must be printable text of at most 300 characters")

    def conditions(self, visible_private: bool) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = []
        if self.status == "open":
            found.append(open_issues())
        elif self.status == "closed":
            found.append(~open_issues())
        if self.after is not None:
            found.append(col(Issue.id) < self.after)
        if self.since is not None:
            found.append(col(Issue.created_at) >= self.since)
        if self.service is not None:
            found.append(col(Issue.service) == self.service)
        if not visible_private:
            found.append(public_only())
        return found


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        if not value.isascii():  # strptime's %Y reads "٢٠٢٦" too
            raise ValueError(value)
        day = datetime.strptime(value, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise ValueError("since must be a date like 2026-01-31") from None
    return day


def _list_page(db: Database, index: FullTextSearch, query: ListQuery, private: bool) -> list[Issue]:
    """One page of the list (and one more row, to tell whether another page follows);
    in the database's threads, off the event loop."""
    with db.session() as session:
        stmt = select(Issue).where(*query.conditions(private))
        if query.q is not None:
            hits = index.search(session, query.q, limit=5_000)
            stmt = stmt.where(col(Issue.id).in_([h.issue_id for h in hits]))
        return list(session.exec(stmt.order_by(col(Issue.id).desc()).limit(query.limit + 1)))


def _issue_and_timeline(
    db: Database, number: int, private: bool
) -> tuple[Issue, list[TimelineEvent]] | None:
    """The issue and its whole timeline, or None if the token may not see it."""
    with db.session() as session:
        issue = session.exec(select(Issue).where(Issue.number == number)).first()
        if issue is None or not (private or open_to_anyone(issue)):
            return None
        events = list(
            session.exec(
                select(TimelineEvent)
                .where(TimelineEvent.issue_id == issue.id)
                .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
            )
        )
    return issue, events


def add_issue_routes(
    app: web.Application, db: Database, clock: Clock, config: ApiConfig, index: FullTextSearch
) -> None:
    async def list_issues(request: web.Request) -> web.StreamResponse:
        private = api_token(config, request).private
        try:
            query = ListQuery(request.query)
        except ValueError as exc:
            raise Problem(400, str(exc)) from exc
        found = await db.run(_list_page, db, index, query, private)
        more = len(found) > query.limit
        found = found[: query.limit]
        rows = [issue_json(issue) for issue in found]
        cursor = _cursor(found[-1].id or 0) if more and found else None
        if query.format == "json":
            return web.json_response({"ok": True, "issues": rows, "next_cursor": cursor})
        response = web.Response(text=as_csv(rows), content_type="text/csv", charset="utf-8")
        if cursor is not None:
            params = {k: v for k, v in request.query.items() if k != "cursor"}
            link = f"{request.path}?{urlencode({**params, 'cursor': cursor})}"
            response.headers["Link"] = f'<{link}>; rel="next"'
            response.headers["X-Next-Cursor"] = cursor
        return response

    async def one_issue(request: web.Request) -> web.StreamResponse:
        private = api_token(config, request).private
        text = request.match_info["key"]
        # An impossible key, an unknown one and a private one get the same answer.
        unknown = Problem(404, f"there is no issue {text[:30]} this token may see")
        try:
            key = IssueKey.parse(text)
        except ValueError:
            raise unknown from None
        read = await db.run(_issue_and_timeline, db, key.number, private)
        if read is None:
            raise unknown
        issue, events = read
        body = {
            "ok": True,
            **issue_json(issue),
            "description": issue.description,
            "trace_id": issue.trace_id,
            "channel_id": issue.channel_id,
            "timeline": [
                {
                    "at": _when(e.at),
                    "kind": e.kind,
                    "actor": e.actor_id,
                    "text": event_words(e, mrkdwn=False),
                }
                for e in events
            ],
        }
        return web.json_response(body)

    app.router.add_get("/api/v1/issues", list_issues)
    app.router.add_get("/api/v1/issues/{key}", one_issue)
