"""What handlers need, handed to them through Bolt's context (never module globals)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from slack_sdk.web.async_client import AsyncWebClient

from bot.background import BackgroundTasks
from bot.clock import Clock
from bot.config import FirebellConfig, Settings
from bot.playbooks.loader import Playbooks
from bot.services.checklist import Checklist
from bot.services.deploys import Deploys
from bot.services.digest import Digest
from bot.services.intake import Intake
from bot.services.lifecycle import Lifecycle
from bot.services.oncall import OnCall
from bot.services.outbox import Outbox, OutboxWorker
from bot.services.reviews import FollowUps, Reviews
from bot.services.sla import SlaClocks
from bot.services.sla_engine import Engine
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
    playbooks: Playbooks
    lifecycle: Lifecycle
    checklist: Checklist
    sla: SlaClocks
    engine: Engine
    oncall: OnCall
    digest: Digest
    reviews: Reviews
    followups: FollowUps
    intake: Intake
    deploys: Deploys
    # Admin user groups' members, with when they were read (see handlers/people.py).
    group_cache: dict[str, tuple[datetime, set[str]]] = field(default_factory=dict)
