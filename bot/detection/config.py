"""The `firebell.yml` sections for webhooks, alert routing, trace links and deploys."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from bot.core.config_types import EnvSecret, Token
from bot.core.domain import IssueType, SeverityName
from bot.core.durations import Duration

Source = Literal[
    "alertmanager", "grafana", "sentry", "datadog", "generic", "newrelic", "rollbar", "deploy"
]
# owner/repo as GitHub writes a repository's full name.
Repository = Annotated[
    str,
    Field(
        pattern=r"^[A-Za-z0-9-]{1,39}/[A-Za-z0-9._-]{1,100}$",
        description="a GitHub repository as owner/name",
        examples=["example/shop"],
    ),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class WebhookConfig(Strict):
    # Bearer tokens per source; a source without a token is refused (401).
    tokens: dict[Source, Token] = Field(default_factory=dict)
    # Sentry signs each request with the integration's client secret.
    sentry_client_secret: SecretStr | None = None
    # GitHub's webhook secret: /webhooks/github checks X-Hub-Signature-256 with it (off
    # without it). May be written ${ENV_VAR}, like every secret below.
    github_secret: EnvSecret | None = None
    # Which service a repository's releases and deployments deploy (owner/repo -> service).
    github_services: dict[Repository, Annotated[str, Field(min_length=1, max_length=80)]] = Field(
        default_factory=dict
    )
    # The PagerDuty v3 webhook subscription's secret: /webhooks/pagerduty checks
    # X-PagerDuty-Signature with it (off without it).
    pagerduty_secret: EnvSecret | None = None
    max_body_kb: int = Field(default=512, ge=16, le=10_240)


class Threshold(Strict):
    count: int = Field(default=1, ge=1, le=10_000)
    within: Duration = timedelta(minutes=5)


class AlertRoute(Strict):
    """Which alerts a rule takes (all given labels equal; source if given) and what
    issues they make."""

    name: str = Field(
        pattern=r"^[a-z0-9][a-z0-9-]{0,59}$",
        description="a name of lowercase letters, digits and dashes (up to 60)",
        examples=["payments"],
    )
    source: Source | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    severity: SeverityName | None = None  # else the alert's own severity
    type: IssueType = IssueType.OUTAGE
    service: str | None = None  # else the alert's service label
    escalation_policy: str | None = None
    # `on_open`: escalate as soon as the route opens an issue, whatever the policy says.
    start: Literal["threshold", "on_open"] = "threshold"
    threshold: Threshold = Field(default_factory=Threshold)
    dedup_window: Duration = timedelta(hours=24)
    resolve_fixes: bool = False  # a resolved alert moves its issue to Fixed

    def matches(self, source: str, labels: dict[str, str]) -> bool:
        if self.source and self.source != source:
            return False
        return all(labels.get(key) == value for key, value in self.labels.items())

    def specificity(self) -> int:
        return 2 * len(self.labels) + (1 if self.source else 0)


DEFAULT_ROUTE = AlertRoute(name="default")


class DetectionConfig(Strict):
    webhooks: WebhookConfig = Field(default_factory=WebhookConfig)
    alert_routes: list[AlertRoute] = Field(default_factory=list)
    # URL templates for trace and correlation IDs, e.g. https://jaeger/trace/{trace_id}
    trace_links: dict[str, str] = Field(default_factory=dict)
    deploy_window: Duration = timedelta(hours=2)

    @field_validator("trace_links")
    @classmethod
    def _templates(cls, value: dict[str, str]) -> dict[str, str]:
        for name, template in value.items():
            if "{trace_id}" not in template or not template.startswith(("http://", "https://")):
                raise ValueError(
                    f"trace_links.{name} must be an http(s) URL containing {{trace_id}}"
                )
        return value

    def route_for(self, source: str, labels: dict[str, str]) -> AlertRoute:
        fits = [r for r in self.alert_routes if r.matches(source, labels)]
        return max(fits, key=lambda r: r.specificity()) if fits else DEFAULT_ROUTE
