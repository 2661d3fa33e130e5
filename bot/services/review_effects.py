"""Delivers the weekly digest to its channel."""

from __future__ import annotations

from typing import Any

from bot.services.slack_steps import SlackSteps


class DigestEffects(SlackSteps):
    async def step_digest(self, _issue: Any, payload: dict[str, Any]) -> None:
        await self.client.chat_postMessage(
            channel=payload["channel"], text=payload["text"], blocks=payload["blocks"]
        )
