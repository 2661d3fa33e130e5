"""The one door to the language model, for review drafts and catch-up summaries alike.

What may be sent is decided here, in the only function that sends anything, so no
caller can forget it: nothing without a configured model, and a private issue never
reaches the model unless `review.allow_private` is on. The facts are redacted and
fitted to the token budget on the way out; customers' e-mail addresses and phone
numbers are left out unless the review config lets them through.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from bot.core.ai.model_call import ModelFailure, ask_model
from bot.core.ai.prompt import Facts, build_prompt
from bot.core.ai.settings import ModelSettings, ReviewConfig
from storage.models import Issue

Answer = TypeVar("Answer", bound=BaseModel)

NO_MODEL = "no model is configured"
PRIVATE = "a private issue is not sent to the model; review.allow_private is off"


class NoModelAnswer(Exception):
    """The model was not asked (none configured, a private issue) or gave no usable
    answer; the message says why, for people."""


class Model:
    def __init__(self, settings: ModelSettings, config: ReviewConfig) -> None:
        self.settings = settings
        self.config = config

    @property
    def configured(self) -> bool:
        return self.settings.api_key is not None

    def why_not(self, issue: Issue) -> str | None:
        """Why the issue is not sent to the model, for people; None when it may be."""
        if not self.configured:
            return NO_MODEL
        if issue.private and not self.config.allow_private:
            return PRIVATE
        return None

    async def ask(
        self, issue: Issue, facts: Facts, *, instructions: str, answer: type[Answer], what: str
    ) -> Answer:
        """The model's answer about `issue`, of the shape `answer`; raises NoModelAnswer."""
        why = self.why_not(issue)
        if why is not None:
            raise NoModelAnswer(why)
        key = self.settings.api_key
        assert key is not None  # why_not checked it
        prompt = build_prompt(
            facts,
            self.config.token_budget,
            instructions=instructions,
            redact_emails=self.config.redact_emails,
            redact_phone_numbers=self.config.redact_phone_numbers,
        )
        try:
            return await ask_model(
                prompt,
                api_key=key.get_secret_value(),
                base_url=self.settings.base_url,
                model=self.settings.model,
                timeout=self.config.timeout_seconds,
                max_retries=self.config.max_retries,
                answer=answer,
                what=what,
            )
        except ModelFailure as exc:
            raise NoModelAnswer(f"the model failed: {exc}") from None
