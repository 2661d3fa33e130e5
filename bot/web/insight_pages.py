"""The Insights page (`/insights`): the figures of bot/insights/figures.py for a period,
each chart with a plain table of its data and a CSV download of the same rows.

Nothing is computed here: every number comes from `figures`/`by_week` (their one
definition), read for the signed-in person as `/incident stats` reads them, so
private issues count in every total but are named (by service) only for members.
The charts are drawn by static/charts.js from JSON data blocks (no inline script)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from aiohttp import web
from slack_sdk.web.async_client import AsyncWebClient

from bot.incidents.issue_figures import duration_text
from bot.insights.api import period_of
from bot.insights.figure_types import Spread, Week
from bot.insights.figures import Figures, a_person, baseline, by_week, figures
from bot.insights.issue_routes import csv_cell
from bot.insights.stats_views import figure_pairs
from bot.web.security import WEB_ROUTE, Person
from storage.db import Database

if TYPE_CHECKING:
    from bot.web.routes import WebApp

PRESETS = (30, 90, 365)
MAX_NAMED = 50  # Slack names looked up for the on-call chart (the rest show their id)
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Column:
    name: str  # the CSV header
    label: str  # the table header
    kind: str = "text"  # text, count, seconds, ratio

    def shown(self, value: Any) -> str:
        if value is None:
            return "–"
        if self.kind == "seconds":
            return duration_text(float(value))
        if self.kind == "ratio":
            return f"{float(value):.0%}"
        return str(value)


@dataclass(frozen=True)
class Chart:
    """One chart's data: its rows are the table, the CSV and (through `plot`) the chart."""

    name: str
    title: str
    columns: list[Column]
    rows: list[list[Any]]
    plot: dict[str, Any] | None = None  # what charts.js draws; None: a table only
    note: str = ""

    def csv(self) -> list[list[str]]:
        return [[c.name for c in self.columns]] + [
            [csv_cell(value) for value in row] for row in self.rows
        ]

    def table(self) -> list[list[str]]:
        return [[c.shown(v) for c, v in zip(self.columns, row, strict=True)] for row in self.rows]


@dataclass(frozen=True)
class Period:
    since: datetime
    until: datetime
    days: int | None  # a preset, or None for chosen dates
    query: str  # the page's query for the same period (CSV links)

    @property
    def first_day(self) -> str:
        return self.since.date().isoformat()

    @property
    def last_day(self) -> str:
        # `until` is excluded: a whole-day period ends the day before it.
        last = self.until - timedelta(microseconds=1) if self.days is None else self.until
        return last.date().isoformat()


@dataclass
class Insights:
    period: Period
    headline: list[tuple[str, str]]
    charts: list[Chart] = field(default_factory=list)
    not_named: int = 0
    current: Figures | None = None

    async def name_people(self, client: AsyncWebClient) -> None:
        """Put Slack names on the on-call chart (its ids when Slack does not answer)."""
        if self.current is None or not self.current.oncall.by_user:
            return
        names: dict[str, str] = {}
        for user in list(self.current.oncall.by_user)[:MAX_NAMED]:
            try:
                found = (await client.users_info(user=user)).get("user") or {}
            except Exception:  # SlackApiError, network: the id will do
                continue
            name = found.get("real_name") or found.get("name")
            if isinstance(name, str) and name:
                names[user] = name
        self.charts = [
            oncall_chart(self.current, names) if c.name == "oncall" else c for c in self.charts
        ]


def chosen_period(query: Any, now: datetime) -> Period:
    """From `?from=&to=` (whole UTC days, both included) or `?days=` (30, 90 or 365,
    up to now, as `/incident stats` counts); ValueError says what is wrong."""
    since_text, until_text = query.get("from", "").strip(), query.get("to", "").strip()
    if since_text or until_text:
        try:
            since, until = period_of({"since": since_text, "until": until_text}, now)
        except ValueError as exc:  # the API's words, with the form's names
            words = str(exc).replace("since", "from").replace("until", "to")
            raise ValueError(words) from None
        parts = [f"from={since.date().isoformat()}"]
        parts.append(f"to={(until - timedelta(days=1)).date().isoformat()}")
        return Period(since, until, None, "&".join(parts))
    days_text = query.get("days", "") or str(DEFAULT_DAYS)
    if not days_text.isdigit() or int(days_text) not in PRESETS:
        raise ValueError("the period must be 30, 90 or 365 days, or dates from and to")
    days = int(days_text)
    return Period(now - timedelta(days=days), now, days, f"days={days}")


def _minutes(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds / 60, 1)


def _week_columns() -> list[Column]:
    columns = [Column("week_from", "Week from")]
    for name, label in (("acknowledge", "Acknowledge"), ("fix", "Fix"), ("deploy", "Deploy")):
        columns.append(Column(f"{name}_issues", f"{label}: issues", "count"))
        columns.append(Column(f"{name}_median_seconds", f"{label}: median", "seconds"))
        columns.append(Column(f"{name}_p90_seconds", f"{label}: p90", "seconds"))
    return columns


def _spread_cells(spread: Spread) -> list[Any]:
    return [spread.count, spread.median, spread.p90]


def times_chart(weeks: list[Week]) -> Chart:
    rows = [
        [
            w.start.date().isoformat(),
            *_spread_cells(w.time_to_acknowledge),
            *_spread_cells(w.time_to_fix),
            *_spread_cells(w.time_to_deploy),
        ]
        for w in weeks
    ]
    series = []
    for label, pick in (
        ("Acknowledge", lambda w: w.time_to_acknowledge),
        ("Fix", lambda w: w.time_to_fix),
        ("Deploy", lambda w: w.time_to_deploy),
    ):
        series.append(
            {"label": f"{label} median", "values": [_minutes(pick(w).median) for w in weeks]}
        )
        series.append({"label": f"{label} p90", "values": [_minutes(pick(w).p90) for w in weeks]})
    plot = {
        "kind": "line",
        "x": [int(w.start.timestamp()) for w in weeks],
        "unit": "minutes",
        "series": series,
    }
    return Chart(
        "times", "Time to acknowledge, fix and deploy by week", _week_columns(), rows, plot
    )


def sla_chart(found: Figures) -> Chart:
    columns = [
        Column("clock", "Clock"),
        Column("severity", "Severity"),
        Column("met", "Met", "count"),
        Column("breached", "Breached", "count"),
        Column("running", "Running", "count"),
        Column("compliance", "Compliance", "ratio"),
    ]
    rows: list[list[Any]] = [
        [clock, severity, c.met, c.breached, c.running, c.ratio]
        for clock, by_severity in sorted(found.sla_by_severity.items())
        for severity, c in sorted(by_severity.items())
    ]
    plot = {
        "kind": "bar",
        "x": [f"{r[0]} · {r[1]}" for r in rows],
        "unit": "%",
        "series": [
            {
                "label": "Compliance",
                "values": [None if r[5] is None else round(100 * r[5], 1) for r in rows],
            }
        ],
    }
    return Chart("sla", "SLA compliance by severity", columns, rows, plot)


def count_chart(name: str, title: str, what: str, counted: dict[str, int]) -> Chart:
    rows: list[list[Any]] = [[key, n] for key, n in counted.items()]
    plot = {
        "kind": "bar",
        "x": list(counted),
        "unit": "issues",
        "series": [{"label": "Issues", "values": list(counted.values())}],
    }
    columns = [Column(what, what.capitalize()), Column("issues", "Issues", "count")]
    return Chart(name, title, columns, rows, plot)


def oncall_chart(found: Figures, names: dict[str, str] | None = None) -> Chart:
    """By person: their Slack name when known (`names`), and their user id."""
    names = names or {}
    columns = [
        Column("person", "Person"),
        Column("user_id", "Slack id"),
        Column("pages", "Pages", "count"),
        Column("business_hours", "Business hours", "count"),
        Column("off_hours", "Off hours", "count"),
        Column("sleep_hours", "Sleep hours", "count"),
    ]
    by_user = found.oncall.by_user
    rows: list[list[Any]] = [
        [
            names.get(user, user),
            user,
            load.pages,
            load.business_hours,
            load.off_hours,
            load.sleep_hours,
        ]
        for user, load in by_user.items()
    ]
    plot = {
        "kind": "stacked",
        "x": [r[0] for r in rows],
        "unit": "pages",
        "series": [
            {"label": "Business hours", "values": [r[3] for r in rows]},
            {"label": "Off hours", "values": [r[4] for r in rows]},
            {"label": "Sleep hours", "values": [r[5] for r in rows]},
        ],
    }
    return Chart("oncall", "On-call load by person and part of the day", columns, rows, plot)


def deploy_charts(found: Figures) -> list[Chart]:
    d = found.deploys
    by_service = count_chart("deploys", "Deploys by service", "service", d.by_service)
    by_service = Chart(
        by_service.name,
        by_service.title,
        [Column("service", "Service"), Column("deploys", "Deploys", "count")],
        by_service.rows,
        {
            **(by_service.plot or {}),
            "unit": "deploys",
            "series": [{"label": "Deploys", "values": list(d.by_service.values())}],
        },
    )
    delivery = Chart(
        "delivery",
        "Deploy frequency and change failure rate",
        [
            Column("deploys", "Deploys", "count"),
            Column("deploys_per_week", "Deploys a week", "count"),
            Column("followed_by_issue", "Followed by an issue", "count"),
            Column("change_failure_rate", "Change failure rate", "ratio"),
            Column("recovery_median_seconds", "Recovery (median)", "seconds"),
        ],
        [[d.count, d.per_week, d.failed, d.change_failure_rate, d.recovery_time.median]],
    )
    return [by_service, delivery]


def insights(db: Database, user_id: str, period: Period, now: datetime) -> Insights:
    """The page's data, read for `user_id` (in the database's threads, off the loop)."""
    reader = a_person(user_id)
    since, until = period.since, period.until
    current = figures(db, since, until, now=now, audience=reader)
    before = baseline(db, since - (until - since), since, audience=reader)
    weeks = by_week(db, since, until, audience=reader)
    charts = [
        times_chart(weeks),
        sla_chart(current),
        count_chart("services", "Issues by service", "service", current.by_service),
        count_chart("types", "Issues by type", "type", current.by_type),
        count_chart("sources", "Issues by source", "source", current.by_source),
        oncall_chart(current),
        *deploy_charts(current),
    ]
    return Insights(period, figure_pairs(current, before), charts, current.not_named, current)


def csv_text(chart: Chart) -> str:
    """Every cell quoted and read as text (the API's rule, issue_routes.csv_cell)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
    writer.writerows(chart.csv())
    return out.getvalue()


def add_insight_routes(app: web.Application, web_app: WebApp) -> None:
    """`/insights` and `/insights/<chart>.csv`, for signed-in people."""

    async def read(request: web.Request) -> tuple[Person, Insights | str]:
        """The page's data, or what is wrong with the period asked for."""
        person = await web_app._person(request)
        now = web_app.d.clock.now()
        try:
            period = chosen_period(request.query, now)
        except ValueError as exc:
            return person, str(exc)
        db = web_app.d.db
        data = await db.run(insights, db, person.user_id, period, now)
        await data.name_people(web_app.d.client)
        return person, data

    def shown(request: web.Request, person: Person, data: Insights | str) -> web.Response:
        context: dict[str, Any] = {"person": person, "presets": PRESETS, "q": request.query}
        if isinstance(data, str):  # a bad period: the form again, with words, as a 400
            return web_app._page(request, "insights.html", 400, error=data, data=None, **context)
        return web_app._page(request, "insights.html", error=None, data=data, **context)

    async def page(request: web.Request) -> web.Response:
        person, data = await read(request)
        return shown(request, person, data)

    async def download(request: web.Request) -> web.Response:
        person, data = await read(request)
        if isinstance(data, str):
            return shown(request, person, data)
        name = request.match_info["chart"]
        chart = next((c for c in data.charts if c.name == name), None)
        if chart is None:
            return web_app._not_found(request, person)
        response = web.Response(text=csv_text(chart), content_type="text/csv", charset="utf-8")
        p = data.period
        filename = f"firebell-{chart.name}-{p.first_day}-{p.last_day}.csv"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response

    app.router.add_get("/insights", page, name=WEB_ROUTE + "insights")
    app.router.add_get("/insights/{chart}.csv", download, name=WEB_ROUTE + "insights_csv")
