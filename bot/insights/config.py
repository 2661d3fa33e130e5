"""The `metrics` and `api` sections of firebell.yml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class MetricsConfig(BaseModel):
    """`metrics: {token: …}`: without a token, GET /metrics is open to anyone who can reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: SecretStr | None = None


class ApiToken(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: SecretStr = Field(min_length=16)
    private: bool = False  # may this token see private issues (by name)?


class ApiConfig(BaseModel):
    """`api: {tokens: {<name>: {token: …, private: false}}}`: /api/v1 is off without one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: dict[str, ApiToken] = Field(default_factory=dict)
