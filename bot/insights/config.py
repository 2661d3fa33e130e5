"""The `metrics` section of firebell.yml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr


class MetricsConfig(BaseModel):
    """`metrics: {token: …}`: without a token, GET /metrics is open to anyone who can reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: SecretStr | None = None
