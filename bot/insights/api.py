"""The read-only JSON API under /api/v1, behind the tokens named in firebell.yml.

Every figure comes from bot/insights/figures.py. The stats name no issue: every
token's totals count private issues; but services and alert fingerprints are named
from private issues only for a token marked `private: true` (`issues.private_not_named`
says how many were left out of those lists), and `?service=` covers only the issues
the token may see. The issue endpoints (issue_routes.py) follow the same rule.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from typing import Any

from aiohttp import web

from bot.core.bearer import require_bearer
from bot.core.clock import Clock
from bot.core.http_problems import Problem
from bot.insights.config import ApiConfig, ApiToken
from bot.insights.figure_types import Compliance, Load, Spread
from bot.insights.figures import EVERY_ISSUE, Figures, a_channel, figures
from storage.db import Database

DEFAULT_DAYS = 30
MAX_DAYS = 3660


def api_token(config: ApiConfig, request: web.Request) -> ApiToken:
    """The configured token the request carries: a 404 Problem while the API is off (no
    token in firebell.yml), a 401 one without a right token."""
    if not config.tokens:
        raise Problem(404, "the API is off: name a token under api.tokens in firebell.yml")
    name = require_bearer(request, {n: t.token for n, t in config.tokens.items()})
    return config.tokens[name]


def _day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"{name} must be a date like 2026-01-31") from None


def period_of(query: Any, now: datetime) -> tuple[datetime, datetime]:
    """[since, until) from ?since=&until= (whole UTC days; until is included), by
    default the last 30 days; ValueError says what is wrong."""
    until_day, since_day = _day(query.get("until"), "until"), _day(query.get("since"), "since")
    try:
        until = (
            datetime.combine(until_day, datetime.min.time(), UTC) + timedelta(days=1)
            if until_day
            else now
        )
        since = (
            datetime.combine(since_day, datetime.min.time(), UTC)
            if since_day
            else until - timedelta(days=DEFAULT_DAYS)
        )
    except OverflowError:
        raise ValueError("the dates must lie between the years 1 and 9999") from None
    if since >= until:
        raise ValueError("since must be before until")
    if until - since > timedelta(days=MAX_DAYS):
        raise ValueError(f"a period is at most {MAX_DAYS} days")
    return since, until


def _spread(spread: Spread) -> dict[str, Any]:
    return asdict(spread)


def _compliance(c: Compliance) -> dict[str, Any]:
    return {
        "met": c.met,
        "breached": c.breached,
        "running": c.running,
        "breached_now": c.breached_now,
        "compliance": c.ratio,
    }


def _load(load: Load) -> dict[str, int]:
    return {
        "pages": load.pages,
        "business_hours": load.business_hours,
        "off_hours": load.off_hours,
        "sleep_hours": load.sleep_hours,
    }


def stats_json(found: Figures) -> dict[str, Any]:
    deploys, oncall = found.deploys, found.oncall
    return {
        "since": found.since.date().isoformat(),
        "until": found.until.date().isoformat(),
        "time_to_acknowledge": _spread(found.time_to_acknowledge),
        "time_to_fix": _spread(found.time_to_fix),
        "time_to_deploy": _spread(found.time_to_deploy),
        "time_to_resolve": _spread(found.time_to_resolve),
        "time_in_status": {status: _spread(s) for status, s in found.time_in_status.items()},
        "sla": {
            clock: {
                **_compliance(c),
                "by_severity": {
                    severity: _compliance(by)
                    for severity, by in found.sla_by_severity.get(clock, {}).items()
                },
            }
            for clock, c in found.sla.items()
        },
        "issues": {
            "filed": found.filed,
            "open": found.open_now,
            "closed": found.closed,
            "reopens": found.reopens,
            "reopened": found.reopened_issues,
            "retest_revise_loops": found.retest_revise_loops,
            "by_severity": found.by_severity,
            "by_type": found.by_type,
            "by_service": found.by_service,
            "by_source": found.by_source,
            "private_not_named": found.not_named,
            "top_services": [
                {"service": r.name, "issues": r.issues, "occurrences": r.occurrences}
                for r in found.top_services
            ],
            "top_alert_fingerprints": [
                {
                    "fingerprint": r.name,
                    "source": r.source,
                    "issues": r.issues,
                    "occurrences": r.occurrences,
                }
                for r in found.top_fingerprints
            ],
        },
        "deploys": {
            "count": deploys.count,
            "per_week": deploys.per_week,
            "by_service": deploys.by_service,
            "followed_by_issue": deploys.failed,
            "change_failure_rate": deploys.change_failure_rate,
            "recovery_time": _spread(deploys.recovery_time),
        },
        "oncall": {
            **_load(oncall.total),
            "by_user": {user: _load(load) for user, load in oncall.by_user.items()},
            "by_schedule": {name: _load(load) for name, load in oncall.by_schedule.items()},
        },
        "followups": asdict(found.followups),
    }


def add_api_routes(app: web.Application, db: Database, clock: Clock, config: ApiConfig) -> None:
    async def stats(request: web.Request) -> web.StreamResponse:
        token = api_token(config, request)
        try:
            since, until = period_of(request.query, clock.now())
        except ValueError as exc:
            raise Problem(400, str(exc)) from exc
        service = (request.query.get("service") or "")[:80] or None
        if service is not None and not service.isprintable():
            raise Problem(400, "service must be printable text")
        audience = EVERY_ISSUE if token.private else a_channel()
        found = await db.run(figures, db, since, until, service, now=clock.now(), audience=audience)
        return web.json_response(stats_json(found))

    app.router.add_get("/api/v1/stats", stats)
