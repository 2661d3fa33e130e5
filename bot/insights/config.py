"""The `metrics`, `api` and `types` sections of firebell.yml."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.core.config_types import Token
from bot.core.domain import IssueType


class MetricsConfig(BaseModel):
    """`metrics: {token: …}`: without a token, GET /metrics is open to anyone who can reach it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    token: Token | None = None  # the same minimum as API and webhook tokens


class ApiToken(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    token: Token
    private: bool = False  # may this token see private issues (by name)?


class ApiConfig(BaseModel):
    """`api: {tokens: {<name>: {token: …, private: false}}}`: /api/v1 is off without one."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    tokens: dict[str, ApiToken] = Field(default_factory=dict)


class TypeSettings(BaseModel):
    """`types: {<type>: {exclude_from_metrics: true}}`: issues of a type used for drills
    or tests are left out of every figure and metric (so is a playbook that says so)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    exclude_from_metrics: bool = False


def unmeasured_types(types: dict[IssueType, TypeSettings]) -> frozenset[str]:
    return frozenset(t.value for t, settings in types.items() if settings.exclude_from_metrics)
