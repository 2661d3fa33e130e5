"""How Firebell uses a language model: the `review` section of firebell.yml (it governs
review drafts and catch-up summaries alike) and the model settings from the environment."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReviewConfig(Strict):
    """How review drafts and catch-ups use the model (OPENAI_* settings say which model)."""

    allow_private: bool = False  # send private issues to the model?
    # Customers' contact details stay out of the prompt unless turned off (people are told
    # to the model as Slack mentions, <@U…>, never by name or address).
    redact_emails: bool = True
    redact_phone_numbers: bool = True
    token_budget: int = Field(default=8000, ge=1000, le=200_000)
    timeout_seconds: float = Field(default=60, gt=0, le=600)
    max_retries: int = Field(default=1, ge=0, le=5)
    history_limit: int = Field(default=1000, ge=0, le=10_000)  # channel messages read


@dataclass(frozen=True)
class ModelSettings:
    """OPENAI_API_KEY, OPENAI_BASE_URL and OPENAI_MODEL; no key means the template."""

    api_key: SecretStr | None = None
    base_url: str | None = None
    model: str = "gpt-4o-mini"
