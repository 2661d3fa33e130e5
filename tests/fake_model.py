"""Firebell with a language model configured: the sandbox Slack and a fake
OpenAI-compatible server (sandbox/openai_server.py), for the tests of what the model
drafts (reviews, catch-up summaries)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.openai_server import FakeOpenAI
from tests.helpers import PATIENT


@asynccontextmanager
async def running_with_model(
    database_url: str, clock: FakeClock, **review: Any
) -> AsyncIterator[tuple[Harness, FakeOpenAI]]:
    """The bot and the fake model it calls. The model gives up after half a second and
    never retries, so a test of a slow or failing model is quick; `review` adds to that
    (token_budget, ...)."""
    fake = await FakeOpenAI().start()
    config = FirebellConfig.model_validate(
        {"review": {"timeout_seconds": 0.5, "max_retries": 0, **review}}
    )
    try:
        async with running(
            database_url,
            clock=clock,
            config=config,
            openai_api_key="sk-test-key-123456789012",
            openai_base_url=fake.base_url,
            openai_model="local-model",
            slack_timeout_seconds=PATIENT,
        ) as h:
            yield h, fake
    finally:
        await fake.stop()
