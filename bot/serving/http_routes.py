"""Every route of the HTTP surface but Slack's and the probes: the webhooks, /metrics,
the API, the embedded reporter's intake, the web app and its public pages, in the order
aiohttp must match them (a named webhook before `/webhooks/{source}`)."""

from __future__ import annotations

from aiohttp import web

from bot.detection.routes import Webhooks, add_routes
from bot.insights.api import add_api_routes
from bot.insights.issue_routes import add_issue_routes
from bot.insights.metrics import add_metrics_routes
from bot.integrations import parts as integrations
from bot.reports.routes import ReportIntake, add_report_routes
from bot.serving.runtime import Runtime
from bot.sla.pagerduty_hook import PagerDutyWebhook, add_pagerduty_route
from bot.web.routes import WebDeps, add_web_routes
from bot.web.status_link import add_public_routes


def add_http_routes(app: web.Application, rt: Runtime) -> None:
    hooks_config = rt.config.webhooks
    integrations.add_webhook_routes(app, rt.config, rt.jira, rt.db, rt.clock, rt.filing)
    # PagerDuty's own acknowledgements (sla/pagerduty_hook.py), before /webhooks/{source}.
    add_pagerduty_route(
        app,
        PagerDutyWebhook(rt.db, rt.clock, rt.lifecycle),
        hooks_config.pagerduty_secret,
        hooks_config.max_body_kb,
    )
    add_routes(app, Webhooks(hooks_config, rt.intake, rt.deploys))
    add_metrics_routes(app, rt.metrics)
    add_api_routes(app, rt.db, rt.clock, rt.config.api)
    add_issue_routes(app, rt.db, rt.clock, rt.config.api, rt.search)
    # The embedded reporter's intake (bot/reports/): public keys per site, CORS.
    intake = ReportIntake(
        rt.config.intake, rt.db, rt.clock, rt.filing, rt.client, rt.settings.firebell_base_url
    )
    add_report_routes(app, intake)
    # The web app (bot/web/): sign-in with Slack, the board, issue pages; off (saying
    # so at /login) without SLACK_CLIENT_ID and SLACK_CLIENT_SECRET.
    deps = WebDeps(
        rt.settings,
        rt.db,
        rt.clock,
        rt.client,
        rt.lifecycle,
        rt.people,
        rt.reviews,
        rt.followups,
        rt.oncall,
        search=rt.search,
        filing=rt.filing,
        intake=rt.config.intake,
        status_page=rt.config.status_page,
    )
    add_web_routes(app, deps)
    # Public, without sign-in: the embedded reporter's script and its status links.
    add_public_routes(app, rt.db)
