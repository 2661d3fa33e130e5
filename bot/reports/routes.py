"""`POST /api/v1/reports`: the embedded reporter's intake (bot/web/static/embed.js).

In this order, each a refusal with its reason (core/http_problems.py) and nothing filed:
the intake key (401), the page's origin (403), the rate per address and per site (429
with Retry-After), the size (413), the body's form (400, 415, 422), the file's type
(415, with the accepted types). CORS is answered for the listed origins only: the
preflight for any site's origin, a report for its own site's."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field

from aiohttp import BodyPartReader, StreamReader, hdrs, web
from aiohttp.http_exceptions import HttpProcessingError
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.clock import Clock
from bot.core.http_problems import Problem
from bot.core.reporters import external, is_person
from bot.incidents.attachments import AttachmentIn
from bot.incidents.file_rules import HEAD_BYTES, FileLimits, file_name, type_of
from bot.incidents.filing import Filing
from bot.reports.config import IntakeConfig, Site
from bot.reports.embedded import EmbeddedReport, clean, read_report
from bot.reports.filing import draft_of, file_report
from bot.reports.rate import RateLimits
from storage.db import Database

log = logging.getLogger(__name__)

PATH = "/api/v1/reports"
KEY_HEADER = "X-Firebell-Key"
JSON_MAX = 256 * 1024  # the report without its file: 20 errors and 10 pages fit well
MAX_PARTS = 3  # the report, at most one file, then the end
CHUNK = 64 * 1024


@dataclass
class ReportIntake:
    config: IntakeConfig
    db: Database
    clock: Clock
    filing: Filing
    client: AsyncWebClient
    base_url: str | None  # FIREBELL_BASE_URL: where status links point
    rate: RateLimits = field(default_factory=RateLimits)

    # -- CORS -------------------------------------------------------------------
    def _cors(self, request: web.Request) -> dict[str, str]:
        """CORS headers for a listed origin (so its page reads our answer), else none."""
        origin = request.headers.get(hdrs.ORIGIN, "")
        headers = {"Vary": "Origin", "Cache-Control": "no-store"}
        if origin in self.config.origins():
            headers[hdrs.ACCESS_CONTROL_ALLOW_ORIGIN] = origin
        return headers

    async def preflight(self, request: web.Request) -> web.Response:
        headers = self._cors(request)
        if hdrs.ACCESS_CONTROL_ALLOW_ORIGIN not in headers:
            raise Problem(403, "This origin may not send reports to Firebell.", headers=headers)
        headers[hdrs.ACCESS_CONTROL_ALLOW_METHODS] = "POST"
        headers[hdrs.ACCESS_CONTROL_ALLOW_HEADERS] = f"Content-Type, {KEY_HEADER}"
        headers[hdrs.ACCESS_CONTROL_MAX_AGE] = "600"
        return web.Response(status=204, headers=headers)

    # -- the report ---------------------------------------------------------------
    async def post(self, request: web.Request) -> web.Response:
        cors = self._cors(request)
        site_name, site = self._site(request, cors)
        wait = self.rate.retry_after(site_name, site.rate_per_minute, request.remote or "")
        if wait is not None:
            raise Problem(
                429,
                f"Too many reports from here just now; try again in {wait} seconds.",
                headers={**cors, hdrs.RETRY_AFTER: str(wait)},
            )
        report, files = await self._read(request, cors)
        reporter = await self._reporter(report.email, site_name)
        draft = draft_of(
            site_name, site, report, request.headers.get(hdrs.USER_AGENT), reporter, files
        )
        token = await self.db.run(
            file_report, self.db, self.clock, self.filing, site_name, report, draft
        )
        base = self.base_url or str(request.url.origin())
        # The new report's own link and nothing else: no key, no other issue.
        return web.json_response(
            {"ok": True, "status_url": f"{base}/r/{token}"}, status=201, headers=cors
        )

    def _site(self, request: web.Request, cors: Mapping[str, str]) -> tuple[str, Site]:
        key = request.headers.get(KEY_HEADER, "").strip()
        if not key:
            raise Problem(
                401, f"No intake key: send the site's key in the {KEY_HEADER} header.", headers=cors
            )
        found = self.config.site_for_key(key)
        if found is None:
            raise Problem(401, "This intake key is not known to Firebell.", headers=cors)
        origin = request.headers.get(hdrs.ORIGIN)
        # A browser always says where the page is; a page of another site is refused.
        # (A script without a browser can claim any origin: the key and the rate limits
        # are what bound it.)
        if origin is not None and origin not in found[1].origin_strings():
            raise Problem(
                403,
                "Reports with this key are accepted from the site's own pages only.",
                headers=cors,
            )
        return found

    async def _read(
        self, request: web.Request, cors: Mapping[str, str]
    ) -> tuple[EmbeddedReport, tuple[AttachmentIn, ...]]:
        limit = self.config.max_upload_bytes
        if request.content_length is not None and request.content_length > limit:
            raise _too_large(limit, cors)
        kind = request.content_type
        try:
            if kind == "application/json":
                raw = await _bounded(request.content, min(JSON_MAX, limit), "The report", cors)
                return read_report(raw), ()
            if kind == "multipart/form-data":
                return await self._multipart(request, cors)
        except Problem as problem:
            problem.headers = {**cors, **problem.headers}
            raise
        raise Problem(
            415, "Send the report as application/json or multipart/form-data.", headers=cors
        )

    async def _multipart(
        self, request: web.Request, cors: Mapping[str, str]
    ) -> tuple[EmbeddedReport, tuple[AttachmentIn, ...]]:
        limit = self.config.max_upload_bytes
        raw: bytes | None = None
        files: list[AttachmentIn] = []
        try:
            reader = await request.multipart()
            for _ in range(MAX_PARTS):
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    raise Problem(422, "A report is one form, not forms within forms.")
                if part.name == "report" and raw is None:
                    raw = await _bounded(part, min(JSON_MAX, limit), "The report", cors)
                elif part.name == "file" and not files:
                    files += await self._file(part, limit, cors)
                else:
                    raise Problem(422, "A report has one `report` part and at most one `file`.")
            else:
                raise Problem(422, "A report has one `report` part and at most one `file`.")
        except (ValueError, AssertionError, LookupError, HttpProcessingError) as exc:
            # aiohttp's multipart reader on a malformed body (no boundary, a broken part).
            raise Problem(400, f"The form could not be read ({type(exc).__name__}).") from None
        if raw is None:
            raise Problem(422, "The form has no `report` part.")
        return read_report(raw), tuple(files)

    async def _file(
        self, part: BodyPartReader, limit: int, cors: Mapping[str, str]
    ) -> list[AttachmentIn]:
        rules = self.config.file_limits()  # the one rule for a report's files
        name = file_name(clean(part.filename or "", 255).strip() or "attachment")
        content_type = type_of(name, part.headers.get(hdrs.CONTENT_TYPE))
        if rules.refusal(content_type, 0) is not None:  # the type, before any byte is read
            raise Problem(415, f"{clean(name, 100)}: {self._type_refusal(rules, content_type)}")
        data = await _bounded(part, limit, "The file", cors)
        if not data:
            return []
        why = rules.refusal(content_type, len(data), data[:HEAD_BYTES])
        if why is not None:
            raise Problem(415, f"{clean(name, 100)}: {why}.")
        return [AttachmentIn(name, content_type, len(data), "embed", data=data)]

    @staticmethod
    def _type_refusal(rules: FileLimits, content_type: str) -> str:
        listed = ", ".join(sorted(rules.allowed_types))
        return f"{rules.refusal(content_type, 0)}; accepted: {listed}."

    async def _reporter(self, email: str | None, site_name: str) -> str:
        """The Slack user with this e-mail (they get the reporter DMs), or the site's
        visitor. The answer to the page is the same either way: it tells nobody who
        works here."""
        visitor = external("web", site_name)
        if not email:
            return visitor
        try:
            answer = await self.client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            if exc.response.get("error") != "users_not_found":
                log.warning("users.lookupByEmail failed: %s", exc.response.get("error"))
            return visitor
        except Exception as exc:  # the network: the report still goes in, as a visitor's
            log.warning("users.lookupByEmail failed: %r", exc)
            return visitor
        user = answer.get("user") or {}
        user_id = str(user.get("id") or "")
        if user.get("deleted") or user.get("is_bot") or not is_person(user_id):
            return visitor
        return user_id


def _too_large(limit: int, cors: Mapping[str, str]) -> Problem:
    mb = limit / (1024 * 1024)
    return Problem(413, f"The report is larger than {mb:g} MB with its file.", headers=cors)


async def _bounded(
    source: StreamReader | BodyPartReader,
    limit: int,
    what: str,
    cors: Mapping[str, str],
) -> bytes:
    """Read a body or a part, refusing it (413) as soon as it passes `limit` bytes."""
    chunks: list[bytes] = []
    size = 0
    while True:
        if isinstance(source, BodyPartReader):
            chunk = await source.read_chunk(CHUNK)
        else:
            chunk = await source.read(CHUNK)
        if not chunk:
            return b"".join(chunks)
        size += len(chunk)
        if size > limit:
            mb = limit / (1024 * 1024)
            raise Problem(413, f"{what} is larger than {mb:g} MB.", headers=cors)
        chunks.append(chunk)


def add_report_routes(app: web.Application, intake: ReportIntake) -> None:
    app.router.add_post(PATH, intake.post)
    app.router.add_route("OPTIONS", PATH, intake.preflight)
