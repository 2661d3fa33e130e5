"""The `firebell.yml` sections for SLAs, on-call, escalation, paging and the digest."""

from __future__ import annotations

from datetime import time, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    HttpUrl,
    field_validator,
    model_validator,
)

from bot.core.business_time import BusinessHours
from bot.core.config_types import ChannelId, LocalMoment, Name, UserGroupId, UserId
from bot.core.domain import IssueType, Severity, SeverityName, parse_severity
from bot.core.durations import Duration


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"'{value}' is not a time zone (e.g. Europe/Berlin, UTC)") from None
    return value


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DayName = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: list[DayName] = ["mon", "tue", "wed", "thu", "fri"]


class BusinessHoursConfig(Strict):
    timezone: str = Field(default="UTC", examples=["Europe/Berlin"])
    days: list[DayName] = Field(default_factory=lambda: list(WEEKDAYS))
    start: time = time(9)
    end: time = time(17)

    _zone = field_validator("timezone")(_zone)

    @model_validator(mode="after")
    def _order(self) -> BusinessHoursConfig:
        if self.end <= self.start or not self.days:
            raise ValueError("business hours need at least one day and end after start")
        return self

    def build(self) -> BusinessHours:
        return BusinessHours(self.timezone, list(self.days), self.start, self.end)


CLOCKS = ("acknowledge", "update", "resolve")


class SlaPolicy(Strict):
    """Per severity. With business hours, a day ('1d') is one business day. A clock
    set to `off` does not run for that severity."""

    acknowledge: Duration | None = Field(default=None, examples=["15m"])
    update: Duration | None = Field(default=None, examples=["30m"])
    resolve: Duration | None = Field(default=None, examples=["4h"])
    business_hours: BusinessHoursConfig | None = None

    @field_validator(*CLOCKS, mode="before")
    @classmethod
    def _off(cls, value: object) -> object:
        # YAML reads a bare `off` as false.
        off = value is False or (isinstance(value, str) and value.strip().lower() == "off")
        return None if off else value


def _default_policies() -> dict[SeverityName, SlaPolicy]:
    office = BusinessHoursConfig()
    return {
        Severity.CRITICAL: SlaPolicy(
            acknowledge=timedelta(minutes=15),
            update=timedelta(minutes=30),
            resolve=timedelta(hours=4),
        ),
        Severity.MAJOR: SlaPolicy(
            acknowledge=timedelta(hours=1), update=timedelta(hours=2), resolve=timedelta(days=1)
        ),
        Severity.MINOR: SlaPolicy(
            acknowledge=timedelta(days=1), resolve=timedelta(days=7), business_hours=office
        ),
        Severity.TRIVIAL: SlaPolicy(
            acknowledge=timedelta(days=3), resolve=timedelta(days=30), business_hours=office
        ),
    }


class SlaConfig(Strict):
    warn_at: float = Field(default=0.75, gt=0, lt=1)
    escalate_at: float = Field(default=0.90, gt=0, lt=1)
    # What a team writes is merged over the defaults, per severity and per clock.
    policies: dict[SeverityName, SlaPolicy] = Field(default_factory=_default_policies)

    @field_validator("policies", mode="before")
    @classmethod
    def _over_defaults(cls, given: object) -> object:
        """`{sev1: {acknowledge: 5m}}` changes critical's acknowledge clock only: every
        other clock and severity keeps its default (a clock is stopped with `off`)."""
        if not isinstance(given, dict):
            return given
        merged: dict[Any, Any] = {
            severity: policy.model_dump() for severity, policy in _default_policies().items()
        }
        for key, policy in given.items():
            severity = parse_severity(key) if isinstance(key, str) else None
            if severity is None or not isinstance(policy, dict | SlaPolicy):
                merged[key] = policy  # left for validation to refuse in our words
                continue
            changes = (
                policy.model_dump(exclude_unset=True) if isinstance(policy, SlaPolicy) else policy
            )
            merged[severity] = {**merged[severity], **changes}
        return merged

    @model_validator(mode="after")
    def _thresholds(self) -> SlaConfig:
        if self.escalate_at <= self.warn_at:
            raise ValueError("escalate_at must come after warn_at (e.g. 0.75 and 0.90)")
        return self

    def policy(self, severity: str) -> SlaPolicy:
        return self.policies.get(Severity(severity)) or SlaPolicy()


class Rotation(Strict):
    participants: list[UserId] = Field(min_length=1)
    shift: Duration = timedelta(weeks=1)
    handoff: LocalMoment = "2026-01-05T09:00"


class Override(Strict):
    user: UserId
    start: LocalMoment
    end: LocalMoment


class Schedule(Strict):
    name: Name
    timezone: str = Field(default="UTC", examples=["Europe/Berlin"])
    rotations: list[Rotation] = Field(min_length=1)
    overrides: list[Override] = Field(default_factory=list)

    _zone = field_validator("timezone")(_zone)


class Target(Strict):
    """Exactly one of: a user, an on-call schedule, a user group, a channel, a pager.
    The fields are the kinds of sla/targets.py `TargetKind`, which the engine reads
    this as (`PageTarget.configured`)."""

    user: UserId | None = None
    schedule: str | None = Field(default=None, examples=["primary"])
    usergroup: UserGroupId | None = None
    channel: ChannelId | None = None
    pagerduty: str | None = Field(default=None, examples=["<routing key>"])  # Events API v2
    opsgenie: str | None = Field(default=None, examples=["<API key>"])

    @model_validator(mode="after")
    def _one(self) -> Target:
        given = [k for k, v in self.model_dump().items() if v]
        if len(given) != 1:
            raise ValueError(
                f"a target names exactly one of {', '.join(type(self).model_fields)} "
                f"(this one has {', '.join(given) or 'none'})"
            )
        return self


class EscalationStep(Strict):
    targets: list[Target] = Field(min_length=1)
    wait: Duration = timedelta(minutes=10)


class Match(Strict):
    severities: list[SeverityName] = Field(default_factory=list)
    types: list[IssueType] = Field(default_factory=list)
    services: list[str] = Field(default_factory=list)


class EscalationPolicy(Strict):
    name: Name
    match: Match = Field(default_factory=Match)
    repeat: int = Field(default=0, ge=0, le=10)  # extra rounds after the first
    steps: list[EscalationStep] = Field(min_length=1, max_length=10)
    # `on_open`: page at filing (for `on_open_severities`, or every severity the policy
    # takes when empty) instead of at `escalate_at` of the acknowledge clock.
    start: Literal["threshold", "on_open"] = "threshold"
    on_open_severities: list[SeverityName] = Field(default_factory=list)

    def starts_on_open(self, severity: str) -> bool:
        wanted = self.on_open_severities
        return self.start == "on_open" and (not wanted or severity in wanted)

    def specificity(self, severity: str, issue_type: str, service: str | None) -> int | None:
        rule = self.match
        if rule.severities and severity not in rule.severities:
            return None
        if rule.types and issue_type not in rule.types:
            return None
        if rule.services and service not in rule.services:
            return None
        return 4 * bool(rule.services) + 2 * bool(rule.types) + bool(rule.severities)


class PagingConfig(Strict):
    pagerduty_url: HttpUrl = HttpUrl("https://events.pagerduty.com/v2/enqueue")
    opsgenie_url: HttpUrl = HttpUrl("https://api.opsgenie.com/v2/alerts")


class DigestConfig(Strict):
    channel: ChannelId
    day: DayName = "mon"
    at: time = time(9)  # local time of day, in `timezone`
    timezone: str = Field(default="UTC", examples=["Europe/Berlin"])
    stale_after: Duration = timedelta(days=14)

    _zone = field_validator("timezone")(_zone)


class OnCallConfig(Strict):
    """Everything about paging people, gathered so FirebellConfig stays readable."""

    sla: SlaConfig = Field(default_factory=SlaConfig)
    schedules: list[Schedule] = Field(default_factory=list)
    escalation_policies: list[EscalationPolicy] = Field(default_factory=list)
    paging: PagingConfig = Field(default_factory=PagingConfig)
    digest: DigestConfig | None = None
    tick_seconds: float = Field(default=5.0, gt=0, le=300)

    @model_validator(mode="after")
    def _references(self) -> OnCallConfig:
        names = {s.name for s in self.schedules}
        if len(names) != len(self.schedules):
            raise ValueError("two schedules share a name")
        for policy in self.escalation_policies:
            for number, step in enumerate(policy.steps, 1):
                for target in step.targets:
                    if target.schedule and target.schedule not in names:
                        raise ValueError(
                            f"escalation policy '{policy.name}' step {number} names schedule "
                            f"'{target.schedule}', which is not defined under schedules"
                        )
        return self

    def schedule(self, name: str) -> Schedule | None:
        return next((s for s in self.schedules if s.name == name), None)

    def policy_for(
        self, named: str | None, severity: str, issue_type: str, service: str | None
    ) -> EscalationPolicy | None:
        """The policy an alert route named for an issue, else the best match."""
        found = next((p for p in self.escalation_policies if p.name == named), None)
        return found or self.choose_policy(severity, issue_type, service)

    def choose_policy(
        self, severity: str, issue_type: str, service: str | None
    ) -> EscalationPolicy | None:
        fits = [
            (score, p.name, p)
            for p in self.escalation_policies
            if (score := p.specificity(severity, issue_type, service)) is not None
        ]
        return max(fits, key=lambda f: (f[0], f[1]))[2] if fits else None
