"""create_app(settings): the Bolt app, the aiohttp web app and the outbox, wired explicitly."""

from __future__ import annotations

import itertools
import logging
import os
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

import aiohttp
from aiohttp import web
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from slack_bolt.adapter.aiohttp import to_aiohttp_response
from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.config import FirebellConfig, Settings, load_config
from bot.core.ai.model import Model
from bot.core.ai.settings import ModelSettings
from bot.core.background import BackgroundTasks
from bot.core.clock import Clock, SystemClock
from bot.core.delivery import DeliveryTable
from bot.core.errors import new_error_id
from bot.core.http_problems import answer_problems
from bot.core.log_context import bind, current
from bot.core.logs import mask_in_logs, secret_values
from bot.core.outbox import Outbox, OutboxWorker
from bot.core.people import People
from bot.core.slack_client import make_web_client
from bot.core.slack_http import read_slack_request
from bot.core.timeline import KINDS, EventKind
from bot.detection.delivery import DetectionDelivery
from bot.detection.deploys import Deploys
from bot.detection.event_kinds import DetectionEvent
from bot.detection.intake import Intake
from bot.detection.kinds import DetectionKind
from bot.detection.routes import SOURCES as WEBHOOK_SOURCES
from bot.feed.delivery import FeedDelivery
from bot.feed.hooks import AnnounceIssues
from bot.feed.kinds import FeedKind
from bot.handlers import register_all
from bot.incidents.attachment_delivery import AttachmentDelivery
from bot.incidents.card_extras import CardSettings
from bot.incidents.checklist import Checklist
from bot.incidents.delivery import IssueDelivery
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.filing import Filing
from bot.incidents.hooks import HookList
from bot.incidents.kinds import IncidentKind
from bot.incidents.lifecycle import Lifecycle
from bot.incidents.provisioning import Provisioning
from bot.insights.config import unmeasured_types
from bot.insights.digest import weekly_sections
from bot.insights.hooks import NoteTransitions
from bot.insights.metrics import Metrics
from bot.insights.rollups import WriteRollups
from bot.integrations import parts as integrations
from bot.integrations.jira_sync import JiraSync
from bot.playbooks.loader import load_playbooks
from bot.reviews.delivery import ReviewDelivery
from bot.reviews.event_kinds import ReviewEvent
from bot.reviews.followups import FollowUps
from bot.reviews.hooks import OfferReviewAtFixed
from bot.reviews.kinds import ReviewKind
from bot.reviews.service import Reviews
from bot.scheduler import SLA_JOB, run_jobs, start_scheduler
from bot.serving.http_routes import add_http_routes
from bot.serving.loop_lag import LoopLagMonitor
from bot.serving.readiness import Readiness
from bot.serving.runtime import CONTEXT_KEY, Runtime
from bot.serving.search_backfill import SearchBackfill
from bot.sla.clocks import SlaClocks
from bot.sla.delivery import SlaDelivery
from bot.sla.digest import Digest
from bot.sla.engine import Engine, TickResult
from bot.sla.escalation_start import PageOnOpen
from bot.sla.event_kinds import SlaEvent
from bot.sla.kinds import SlaKind
from bot.sla.manual_pages import ManualPages
from bot.sla.oncall import OnCall
from bot.sla.page_dms import SettlePagesWhenTaken
from bot.sla.pager_loop import ClosePagerLoop
from bot.sla.responses import Responses
from bot.sla.targets import pager_keys
from bot.statuspage.delivery import StatusPageDelivery
from bot.statuspage.event_kinds import StatusPageEvent
from bot.statuspage.kinds import StatusPageKind
from bot.statuspage.service import StatusPage
from bot.triage import semantic
from bot.triage.catch_up import CatchUps
from bot.triage.delivery import TriageDelivery
from bot.triage.event_kinds import TriageEvent
from bot.triage.hooks import SuggestAtIntake
from bot.triage.kinds import TriageKind
from bot.triage.merge import Merges
from bot.triage.search import SearchIndex
from storage.db import Database
from storage.migrate import upgrade

log = logging.getLogger(__name__)

# Each slice's timeline kinds with their words; an event of a kind left out would
# read as its bare name, so start-up stops on a declared kind missing here.
TIMELINE_KINDS: tuple[type[EventKind], ...] = (IncidentEvent, SlaEvent, DetectionEvent)
TIMELINE_KINDS += (ReviewEvent, TriageEvent, StatusPageEvent, *integrations.TIMELINE_KINDS)


class Firebell:
    """One running Firebell: Bolt app, Slack client, database and outbox worker."""

    def __init__(self, runtime: Runtime, bolt: AsyncApp, *, backfill: bool = True) -> None:
        self.runtime = runtime
        self.bolt = bolt
        self.scheduler: AsyncIOScheduler | None = None
        self.readiness = Readiness(runtime.db, runtime.client, runtime.clock)
        # Issues filed before search existed are indexed once serving (not before).
        self.search_backfill = SearchBackfill(runtime.search) if backfill else None
        if self.search_backfill is not None:
            self.readiness.search = self.search_backfill.problem
        self.loop_lag = LoopLagMonitor(runtime.metrics.loop_late)

    async def start(self) -> None:
        """Start background work; pending outbox items from before a restart go out now."""
        if self.runtime.client.session is None:
            # One pooled session for every Slack call: without it slack_sdk opens a
            # new session and TCP connection per call, which doubled ack latency
            # under load (bench/ack_latency.py).
            self.runtime.client.session = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=self.runtime.settings.slack_timeout_seconds)
            )
        self.loop_lag.start()
        self.runtime.worker.start()
        self.runtime.worker.kick()
        if self.runtime.settings.scheduler_enabled:
            self.scheduler = start_scheduler(self.runtime)
        if self.search_backfill is not None:
            self.search_backfill.start()

    async def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
        if self.search_backfill is not None:
            await self.search_backfill.stop(grace=1.0)
        # Within SIGTERM's 5 seconds: work after acks gets 1 s, the outbox up to 3 s.
        await self.runtime.background.drain(timeout=1.0)
        await self.runtime.worker.stop()
        if self.runtime.client.session is not None:
            await self.runtime.client.session.close()
            self.runtime.client.session = None
        await self.loop_lag.stop()
        self.runtime.db.dispose()

    async def tick(self) -> TickResult:
        """One scheduler tick, delivered (tests and the demo run time themselves)."""
        results = await self.runtime.db.run(run_jobs, self.runtime)
        await self.settle()
        result = results[SLA_JOB]
        if not isinstance(result, TickResult):  # the failure is in the log, with its traceback
            raise RuntimeError(f"the SLA job failed this tick: {result}")
        return result

    async def settle(self) -> int:
        """Finish work after acks, then deliver every outbox item that is due now
        (tests and the demo wait on this)."""
        await self.runtime.background.drain()
        return await self.runtime.outbox.deliver_due()

    async def handle_slack(self, request: web.Request) -> web.Response:
        # Our adapter, not bolt's: it verifies first and parses forms correctly
        # (see bot/core/slack_http.py); anything it refuses is a 4xx in JSON.
        secret = self.runtime.settings.slack_signing_secret
        verified = await read_slack_request(request, secret.get_secret_value() if secret else "")
        if isinstance(verified, web.Response):
            return verified
        answer = await self.bolt.async_dispatch(verified)
        if answer.status < 500:
            return await to_aiohttp_response(answer)
        # Bolt answers 500 when something before our listeners fails, above all its
        # auth.test while Slack's API is away. The person gets words, Slack its 200.
        error_id = new_error_id()
        log.warning(
            "Bolt answered %s before any listener ran, error id %s", answer.status, error_id
        )
        return web.json_response(
            {
                "response_type": "ephemeral",
                "text": f"Firebell cannot reach Slack's API just now (error id `{error_id}`). "
                "Please try again in a minute.",
            }
        )

    async def healthz(self, _request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    def web_app(self, slack_events: bool = True, lifespan: bool = True) -> web.Application:
        """The HTTP surface: /slack/events for Slack (not in Socket Mode), /healthz and
        /readyz for probes, the webhooks, /metrics and the API. With `lifespan` the
        server starts and stops Firebell; Socket Mode does that itself."""
        # Webhooks check their own (configurable) size limit and answer 413 as a problem.
        app = web.Application(client_max_size=16 * 1024 * 1024, middlewares=[request_context])
        if slack_events:
            app.router.add_post("/slack/events", self.handle_slack)
        app.router.add_get("/healthz", self.healthz)
        app.router.add_get("/readyz", self.readiness.handle)
        add_http_routes(app, self.runtime)
        # The one HTTP error path, innermost: the middlewares above it (the request id,
        # the webhook counter) see every refusal and failure as an answer with its status.
        app.middlewares.append(answer_problems)
        if lifespan:
            app.cleanup_ctx.append(self._lifespan)
        return app

    async def _lifespan(self, _app: web.Application) -> AsyncIterator[None]:
        await self.start()
        yield
        await self.stop()


# Request ids: this process's random prefix and a counter. uuid4 (os.urandom and a UUID
# object a request) was 6 % of the loop's time under an alert storm (py-spy).
_REQUEST_PREFIX = secrets.token_hex(4)
_request_numbers = itertools.count(1)


def _next_request_id() -> str:
    return f"{_REQUEST_PREFIX}{next(_request_numbers) & 0xFFFFFFFF:08x}"


@web.middleware
async def request_context(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    """A request id on every log line the request causes (and on its answer)."""
    request_id = request.headers.get("X-Request-Id", "")[:64]
    bind(request_id=request_id if request_id and request_id.isprintable() else _next_request_id())
    response = await handler(request)
    response.headers["X-Request-Id"] = current()["request_id"]
    return response


def create_app(
    settings: Settings,
    *,
    clock: Clock | None = None,
    config: FirebellConfig | None = None,
    migrate: bool = True,
) -> Firebell:
    clock = clock or SystemClock()
    config = config or load_config(settings.firebell_config)
    # Every configured secret is masked by value in every field of every log line.
    mask_in_logs([*secret_values(settings, config), *pager_keys(config)])
    KINDS.register(*TIMELINE_KINDS)
    KINDS.require_all()
    # Every config file is validated before anything is opened: a bad one stops start-up.
    playbooks = load_playbooks(config.playbooks_dir)
    db = Database(settings.database_url)
    if migrate:
        upgrade(db)
    search = SearchIndex(db)
    search.attach()
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else ""
    # One registry per app (never prometheus_client's global one: tests build many apps).
    metrics = Metrics(db, config.metrics, webhook_sources=WEBHOOK_SOURCES)
    client = make_web_client(
        token, settings.slack_api_url, clock, settings.slack_timeout_seconds, metrics.slack_call
    )
    outside = integrations.card_links(config)
    card = CardSettings(
        config.deploy_window, dict(config.trace_links), settings.firebell_base_url, outside
    )

    # Incidents call the slices above them through these hooks (rule: imports run one way).
    hooks = HookList()
    filing = Filing(
        db, clock, playbooks, hooks, config.deploy_window, unmeasured_types(config.types)
    )
    lifecycle = Lifecycle(db, clock, playbooks, hooks)
    checklist = Checklist(db, clock, playbooks)
    sla = SlaClocks(config.sla)
    rollups = WriteRollups(config.deploy_window)
    page_on_open = PageOnOpen(config, clock)
    hooks.hooks += [sla, page_on_open, OfferReviewAtFixed(clock), NoteTransitions(), rollups]
    hooks.hooks.append(ClosePagerLoop(clock))  # pagers hear of acks and fixes (sla/pager_loop.py)
    if config.announce is not None:
        hooks.hooks.append(AnnounceIssues(config.announce, clock))
    semantic.switch(config.triage.semantic)
    hooks.hooks.append(SuggestAtIntake(clock))
    hooks.hooks.append(SettlePagesWhenTaken(clock))  # stale page DMs say who took it
    hooks.hooks += integrations.hooks(config, clock)  # Jira, Zendesk
    digest = Digest(db, clock, config.digest)

    provisioning = Provisioning(db, clock, client, config.channel_prefix, card)
    people = People(list(config.admins), clock)
    deliveries = DeliveryTable(db)
    for table in (
        provisioning.table(),
        IssueDelivery(db, clock, client, checklist, provisioning, card).table(),
        AttachmentDelivery(db, clock, client).table(),
        SlaDelivery(db, clock, client, config.paging, digest, partial(weekly_sections, db)).table(),
        DetectionDelivery(db, clock, client).table(),
        ReviewDelivery(db, clock, client).table(),
        FeedDelivery(db, clock, client).table(),
        TriageDelivery(db, clock, client, people, search, card).table(),
        StatusPageDelivery(db, clock, client).table(),
        *integrations.deliveries(db, clock, client, config, card),
    ):
        deliveries.register(table)
    deliveries.require(
        [
            IncidentKind,
            SlaKind,
            DetectionKind,
            ReviewKind,
            FeedKind,
            TriageKind,
            StatusPageKind,
            *integrations.OUTBOX_KINDS,
        ]
    )
    outbox = Outbox(db, clock, deliveries)

    model = Model(
        ModelSettings(settings.openai_api_key, settings.openai_base_url, settings.openai_model),
        config.review,
    )
    runtime = Runtime(
        settings=settings,
        config=config,
        db=db,
        clock=clock,
        client=client,
        outbox=outbox,
        worker=OutboxWorker(outbox, settings.outbox_poll_seconds),
        background=BackgroundTasks(),
        people=people,
        filing=filing,
        lifecycle=lifecycle,
        checklist=checklist,
        engine=Engine(db, clock, config),
        responses=Responses(db, clock, lifecycle, sla),
        oncall=OnCall(db, clock, config),
        pages=ManualPages(db, clock, config),
        digest=digest,
        reviews=Reviews(db, clock, model, playbooks),
        catch_ups=CatchUps(db, clock, model, playbooks),
        search=search,
        merges=Merges(db, clock, lifecycle, config.triage),
        followups=FollowUps(db, clock),
        intake=Intake(db, clock, config, filing, lifecycle, hooks),
        deploys=Deploys(db, clock, lifecycle),
        status_page=StatusPage(db, clock, config.status_page),
        metrics=metrics,
        jira=JiraSync(db, clock, config.jira, lifecycle),
    )
    secret = (
        settings.slack_signing_secret.get_secret_value() if settings.slack_signing_secret else ""
    )
    with _no_oauth_install():
        bolt = _bolt(client, secret)
    bolt.use(_inject(runtime))
    register_all(bolt)
    bolt.error(_log_unhandled)
    return Firebell(runtime, bolt, backfill=migrate)


OAUTH_VARIABLES = ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET")


@contextmanager
def _no_oauth_install() -> Iterator[None]:
    """Bolt, finding SLACK_CLIENT_ID and SLACK_CLIENT_SECRET in the environment, turns
    itself into an OAuth-install app that ignores the bot token and answers every
    request "installation no longer available". Firebell uses them for Sign in with
    Slack only (bot/web/), so Bolt is built without seeing them; it has no setting that
    says "no OAuth" (tests/scenario/test_web_sign_in.py checks commands still answer)."""
    hidden = {name: os.environ.pop(name) for name in OAUTH_VARIABLES if name in os.environ}
    try:
        yield
    finally:
        os.environ.update(hidden)


def _bolt(client: AsyncWebClient, secret: str) -> AsyncApp:
    return AsyncApp(
        # Without a name Bolt calls inspect.stack() to name itself after the caller's
        # file, reading the source of every frame: ~0.1 s a start, most of a test's.
        name="firebell",
        client=client,  # carries the token and SLACK_API_URL
        signing_secret=secret,
        # The HTTP response goes out as soon as a listener returns; listeners ack
        # and hand slow work to runtime.background. Bolt's default instead polls
        # for the ack every 10 ms, which was most of our ack latency.
        process_before_response=True,
        # An unknown request is logged and answered 404; never a crash.
        raise_error_for_unhandled_request=False,
        # handle_slack (core/slack_http.py) checks every signature before Bolt sees the
        # request, answering 401 without logging the body; a second check adds nothing.
        request_verification_enabled=False,
        logger=_bolt_logger(),
    )


def _bolt_logger() -> logging.Logger:
    """Bolt's logger, without the warning every start gave: Bolt finds SLACK_BOT_TOKEN in
    the environment and says it is unused, which is by design (the client carries it)."""
    logger = logging.getLogger("slack_bolt.AsyncApp")
    if not any(isinstance(f, _TokenUnusedFilter) for f in logger.filters):
        logger.addFilter(_TokenUnusedFilter())
    return logger


class _TokenUnusedFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("As you gave `client` as well")


def _inject(runtime: Runtime) -> Callable[..., Awaitable[Any]]:
    async def middleware(context: AsyncBoltContext, next: Callable[[], Awaitable[Any]]) -> Any:
        context[CONTEXT_KEY] = runtime
        return await next()

    return middleware


async def _log_unhandled(error: Exception, body: dict[str, Any]) -> None:
    log.error(
        "unhandled error for a %s request: %r",
        body.get("type") or "command",
        error,
        exc_info=error,
    )
