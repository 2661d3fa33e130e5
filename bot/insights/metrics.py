"""GET /metrics: Prometheus text exposition from a registry owned by one app.

Gauges are read from the database at scrape time (so every replica reports the
same); counters and histograms count what this process did (Prometheus sums them).
Labels never carry issue keys or user ids.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Iterator
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Middleware
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlmodel import col, select

from bot.core import observations
from bot.core.bearer import require_bearer
from bot.incidents.rules import open_issues
from bot.insights.config import MetricsConfig
from storage.db import Database
from storage.models import Issue, OutboxItem

# A scheduled job usually takes milliseconds; a slow one (a large backlog) takes seconds.
TICK_BUCKETS = (0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class DatabaseGauges(Collector):
    """Gauges read at scrape time: open issues by severity and type, the outbox backlog."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def collect(self) -> Iterator[Metric]:
        issues = GaugeMetricFamily(
            "firebell_issues_open",
            "Issues not yet closed (private ones included), by severity and type.",
            labels=["severity", "type"],
        )
        pending = GaugeMetricFamily(
            "firebell_outbox_pending", "Outbox items waiting to be delivered."
        )
        dead = GaugeMetricFamily(
            "firebell_outbox_dead", "Outbox items given up on after their last retry."
        )
        with self.db.session() as session:
            open_rows = session.exec(
                select(Issue.severity, Issue.type, func.count())
                .where(
                    open_issues(),
                    col(Issue.exclude_from_metrics).is_(False),  # drills and tests
                )
                .group_by(Issue.severity, Issue.type)
            ).all()
            # ix_outbox_pending starts with status: both counts read the index only.
            outbox = dict(
                session.exec(
                    select(OutboxItem.status, func.count())
                    .where(col(OutboxItem.status).in_(["pending", "dead"]))
                    .group_by(OutboxItem.status)
                ).all()
            )
        for severity, issue_type, count in open_rows:
            issues.add_metric([severity, issue_type], count)
        pending.add_metric([], outbox.get("pending", 0))
        dead.add_metric([], outbox.get("dead", 0))
        yield issues
        yield pending
        yield dead


class Metrics:
    """The app's registry, its instruments, and the callbacks create_app wires to them."""

    def __init__(
        self, db: Database, config: MetricsConfig, webhook_sources: Collection[str]
    ) -> None:
        self.config = config
        self.db = db
        # Webhook sources as labels (detection declares them): anything else in the path
        # is "other", so a stranger posting to /webhooks/<random> cannot grow the label set.
        self.webhook_sources = frozenset(webhook_sources)
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(DatabaseGauges(db))
        self._webhook_children: dict[tuple[str, int], Any] = {}
        self.webhook_requests = Counter(
            "firebell_webhook_requests",
            "Webhook requests answered, by source and HTTP status code.",
            ["source", "code"],
            registry=self.registry,
        )
        self.slack_api_calls = Counter(
            "firebell_slack_api_calls",
            "Slack Web API calls made by this process, by method and outcome "
            "(ok, Slack's error code, http_<status> or exception).",
            ["method", "outcome"],
            registry=self.registry,
        )
        self.job_seconds = Histogram(
            "firebell_scheduler_job_seconds",
            "How long each scheduled job (SLA and escalation, digest, reminders) took a tick.",
            ["job"],
            buckets=TICK_BUCKETS,
            registry=self.registry,
        )
        self.loop_lag = Histogram(
            "firebell_event_loop_lag_seconds",
            "How much later than asked the event loop woke a 10 ms timer: work that "
            "blocked the loop (every Slack ack and /healthz waited as long).",
            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
            registry=self.registry,
        )
        self.job_failures = Counter(
            "firebell_scheduler_job_failures",
            "Scheduled jobs that raised (logged with their traceback; retried next tick).",
            ["job"],
            registry=self.registry,
        )

        severity_buckets = (60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 259200, 604800)
        self.issues_filed = Counter(
            "firebell_issues_filed",
            "Issues filed, by source (slack, or the alert source) and severity.",
            ["source", "severity"],
            registry=self.registry,
        )
        self.time_to_acknowledge = Histogram(
            "firebell_time_to_acknowledge_seconds",
            "From filing to acknowledgement, by severity.",
            ["severity"],
            buckets=severity_buckets,
            registry=self.registry,
        )
        self.time_to_fix = Histogram(
            "firebell_time_to_fix_seconds",
            "From filing to Fixed, by severity.",
            ["severity"],
            buckets=severity_buckets,
            registry=self.registry,
        )
        self.time_to_deploy = Histogram(
            "firebell_time_to_deploy_seconds",
            "From Fixed to deployed: kept apart from the fix.",
            buckets=severity_buckets,
            registry=self.registry,
        )
        self.sla_breaches = Counter(
            "firebell_sla_breaches",
            "SLA clocks breached, by clock and severity.",
            ["clock", "severity"],
            registry=self.registry,
        )
        self.pages = Counter(
            "firebell_pages",
            "Escalation pings, by target kind.",
            ["target"],
            registry=self.registry,
        )
        self.alerts_received = Counter(
            "firebell_alerts_received",
            "Alerts received, by source and status (firing, resolved).",
            ["source", "status"],
            registry=self.registry,
        )
        db.after_commit.append(self.committed)

    def committed(self, info: dict[str, Any]) -> None:
        """Count what a transaction noted (core/observations.py), once it committed."""
        for seen in observations.committed(info):
            counter = {
                observations.ISSUE_FILED: self.issues_filed,
                observations.SLA_BREACHED: self.sla_breaches,
                observations.PAGED: self.pages,
                observations.ALERT_RECEIVED: self.alerts_received,
            }.get(seen.name)
            if counter is not None:
                counter.labels(*seen.labels).inc(seen.value)
                continue
            histogram = {
                observations.ACKNOWLEDGED: self.time_to_acknowledge,
                observations.FIXED: self.time_to_fix,
                observations.DEPLOYED: self.time_to_deploy,
            }.get(seen.name)
            if histogram is not None:
                (histogram.labels(*seen.labels) if seen.labels else histogram).observe(seen.value)

    def slack_call(self, method: str, outcome: str) -> None:
        self.slack_api_calls.labels(method, outcome).inc()

    def job_took(self, job: str, seconds: float) -> None:
        self.job_seconds.labels(job).observe(seconds)

    def loop_late(self, seconds: float) -> None:
        self.loop_lag.observe(seconds)

    def job_failed(self, job: str) -> None:
        self.job_failures.labels(job).inc()

    def webhook_answered(self, source: str, code: int) -> None:
        label = source if source in self.webhook_sources else "other"
        # The labelled child, kept: `labels()` takes a lock and builds a key each call,
        # and a storm calls this thousands of times a second.
        child = self._webhook_children.get((label, code))
        if child is None:
            child = self._webhook_children[(label, code)] = self.webhook_requests.labels(
                label, str(code)
            )
        child.inc()

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_metrics_routes(app: web.Application, metrics: Metrics) -> None:
    """GET /metrics, and the middleware that counts answers under /webhooks/."""
    app.middlewares.append(_count_webhooks(metrics))
    app.router.add_get("/metrics", _scrape(metrics))


def _count_webhooks(metrics: Metrics) -> Middleware:
    # It runs outside core/http_problems.py's middleware, so every refusal and failure
    # reaches it as an answer with its status, never as an exception.
    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        if request.path.startswith("/webhooks/"):
            metrics.webhook_answered(request.path.removeprefix("/webhooks/"), response.status)
        return response

    return middleware


def _scrape(metrics: Metrics) -> Handler:
    async def scrape(request: web.Request) -> web.StreamResponse:
        if metrics.config.token is not None:
            require_bearer(request, {"metrics": metrics.config.token})
        # The database gauges are read while the registry is collected: in the
        # database's threads, so a slow count never holds the loop.
        body = await metrics.db.run(metrics.exposition)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return scrape
