"""What listeners need, handed to them through Bolt's context (never module globals)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.config import FirebellConfig, Settings
from bot.core.background import BackgroundTasks
from bot.core.clock import Clock
from bot.core.outbox import Outbox, OutboxWorker
from bot.core.people import People
from bot.detection.deploys import Deploys
from bot.detection.intake import Intake
from bot.incidents.checklist import Checklist
from bot.incidents.filing import Filing
from bot.incidents.lifecycle import Lifecycle
from bot.insights.metrics import Metrics
from bot.integrations.jira_sync import JiraSync
from bot.reviews.followups import FollowUps
from bot.reviews.service import Reviews
from bot.sla.digest import Digest
from bot.sla.engine import Engine
from bot.sla.manual_pages import ManualPages
from bot.sla.oncall import OnCall
from bot.sla.responses import Responses
from bot.statuspage.service import StatusPage
from bot.triage.catch_up import CatchUps
from bot.triage.merge import Merges
from bot.triage.search import SearchIndex
from storage.db import Database

CONTEXT_KEY = "firebell"


@dataclass
class Runtime:
    settings: Settings
    config: FirebellConfig
    db: Database
    clock: Clock
    client: AsyncWebClient
    outbox: Outbox
    worker: OutboxWorker
    background: BackgroundTasks
    people: People
    filing: Filing
    lifecycle: Lifecycle
    checklist: Checklist
    engine: Engine
    responses: Responses
    oncall: OnCall
    pages: ManualPages
    digest: Digest
    reviews: Reviews
    catch_ups: CatchUps
    search: SearchIndex
    merges: Merges
    followups: FollowUps
    intake: Intake
    deploys: Deploys
    status_page: StatusPage  # publishing to the public status page
    metrics: Metrics  # /metrics and the per-process counters
    jira: JiraSync  # Jira Cloud both ways (bot/integrations/)
