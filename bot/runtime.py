"""What handlers need, handed to them through Bolt's context (never module globals)."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.web.async_client import AsyncWebClient

from bot.background import BackgroundTasks
from bot.clock import Clock
from bot.config import FirebellConfig, Settings
from bot.services.outbox import Outbox, OutboxWorker
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
