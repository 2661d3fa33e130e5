"""The `jira` section of firebell.yml: where Jira Cloud is, who Firebell is there, and how
an issue maps onto a Jira issue (fields, priorities, transitions, statuses)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from bot.core.config_types import EnvSecret
from bot.core.domain import SeverityName, Status

# The placeholders a mapped field may hold, filled from the issue at creation.
PLACEHOLDERS = ("{service}", "{severity}", "{key}", "{title}")


def _status_word(value: object) -> object:
    """ "Assigned", "assigned" and "ASSIGNED" all name Firebell's status."""
    return value.strip().lower() if isinstance(value, str) else value


FirebellStatus = Annotated[Status, BeforeValidator(_status_word)]
JiraName = Annotated[str, Field(min_length=1, max_length=255)]
FieldId = Annotated[
    str,
    Field(
        pattern=r"^(customfield_\d+|[a-z][A-Za-z]{1,40})$",
        description="a Jira field id: customfield_NNNNN, or a system field such as environment",
    ),
]


class JiraConfig(BaseModel):
    """Jira Cloud, both ways: issues created there by rule or by hand, statuses kept in step."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    url: str = Field(
        pattern=r"^https?://[^\s/]+(/[^\s]*)?$",
        description="the site's address",
        examples=["https://example.atlassian.net"],
    )
    # The Atlassian account Firebell acts as, and its API token (id.atlassian.com →
    # Security → API tokens); sent as HTTP basic auth.
    email: str = Field(pattern=r"^[^@\s]+@[^@\s]+$", examples=["bot@example.com"])
    api_token: Annotated[EnvSecret, Field(examples=["${JIRA_API_TOKEN}"])]
    # The secret of the admin webhook (Jira signs each delivery with it); without it,
    # /webhooks/jira refuses everything.
    webhook_secret: Annotated[EnvSecret, Field(examples=["${JIRA_WEBHOOK_SECRET}"])] | None = None
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]{0,19}$", examples=["OPS"])
    issue_type: JiraName = "Bug"
    # Severities that get a Jira issue at filing; others get one with `/incident jira`.
    auto: list[SeverityName] = Field(default_factory=list, examples=[["critical"]])
    # Firebell severity -> Jira priority name; unmapped severities leave Jira's default.
    priorities: dict[SeverityName, JiraName] = Field(default_factory=dict)
    labels: list[Annotated[str, Field(pattern=r"^\S{1,255}$")]] = Field(default_factory=list)
    components: list[JiraName] = Field(default_factory=list)  # by name
    # More fields, e.g. required custom fields: a string may hold {service}, {severity},
    # {key} or {title}; objects and lists are sent as given, with their strings filled.
    fields: dict[FieldId, Any] = Field(default_factory=dict)
    # Firebell status -> the Jira transition that follows it (by name, as Jira shows it).
    transitions: dict[FirebellStatus, JiraName] = Field(default_factory=dict)
    # Jira status -> the Firebell status it moves the issue to.
    statuses: dict[JiraName, FirebellStatus] = Field(default_factory=dict)
    # Review follow-ups exported with `/incident jira followups`: their issue type (else
    # issue_type) and fields (else `fields`; another type may have another create screen),
    # and the link type that ties each to the parent's Jira issue (as Jira names it).
    followup_issue_type: JiraName | None = None
    followup_fields: dict[FieldId, Any] | None = None
    followup_link: JiraName = "Relates"

    @field_validator("url")
    @classmethod
    def _no_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("statuses")
    @classmethod
    def _statuses(cls, value: dict[str, Status]) -> dict[str, Status]:
        lowered = [name.casefold() for name in value]
        if len(set(lowered)) != len(lowered):
            raise ValueError("a Jira status is named twice (names are compared ignoring case)")
        return value

    def status_for(self, jira_status: str) -> Status | None:
        """The Firebell status a Jira status maps to (names compared ignoring case)."""
        wanted = jira_status.casefold()
        return next((s for name, s in self.statuses.items() if name.casefold() == wanted), None)
