"""Settings from the environment and `.env`, plus the optional `firebell.yml`.

Read once at start-up. A missing or malformed setting stops start-up with one
line naming the variable and what is expected; tokens are SecretStr so they
never appear in logs or reprs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.core.ai.settings import ReviewConfig
from bot.core.config_errors import problems
from bot.core.config_types import UserOrGroupId
from bot.core.domain import IssueType
from bot.core.errors import ConfigError
from bot.core.yaml_files import read_mapping
from bot.detection.config import DetectionConfig
from bot.feed.config import AnnounceConfig
from bot.insights.config import ApiConfig, MetricsConfig, TypeSettings
from bot.integrations.jira_config import JiraConfig
from bot.integrations.zendesk_config import ZendeskConfig
from bot.reports.config import IntakeConfig
from bot.sla.config import OnCallConfig
from bot.statuspage.config import StatusPageConfig
from bot.triage.config import TriageConfig

Mode = Literal["http", "socket", "none"]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", frozen=True)

    slack_bot_token: SecretStr | None = Field(default=None, examples=["xoxb-…"])
    slack_signing_secret: SecretStr | None = Field(default=None, examples=["8f14e45f…"])
    slack_app_token: SecretStr | None = Field(default=None, examples=["xapp-…"])
    slack_api_url: str = "https://slack.com/api/"
    slack_timeout_seconds: float = Field(default=10.0, gt=0)
    database_url: str = "sqlite:///firebell.db"
    openai_api_key: SecretStr | None = Field(default=None, examples=["sk-…"])
    openai_base_url: str | None = Field(default=None, examples=["https://api.openai.com/v1"])
    openai_model: str = "gpt-4o-mini"
    firebell_config: Path | None = Field(default=None, examples=["/etc/firebell/firebell.yml"])
    # How often the outbox is swept for retries that fell due (seconds).
    outbox_poll_seconds: float = Field(default=2.0, gt=0)
    # The SLA/escalation tick (firebell.yml tick_seconds); tests drive ticks themselves.
    scheduler_enabled: bool = True
    # The web app (bot/web/): its public address, and Sign in with Slack's client id and
    # secret (Basic Information in the Slack app's settings). Without both, it is off.
    # Unset: the address each request came to (fine on loopback, not behind a proxy).
    firebell_base_url: str | None = Field(default=None, examples=["https://firebell.example.com"])
    slack_client_id: str | None = Field(default=None, examples=["1234567890.0987654321"])
    slack_client_secret: SecretStr | None = Field(default=None, examples=["3f2a9c…"])
    # A Fernet key (`firebell check-config` prints a fresh one) for the session cookies.
    firebell_session_key: SecretStr | None = Field(default=None, examples=["q1Zx…= (44 chars)"])
    firebell_session_hours: float = Field(default=12.0, gt=0)

    @field_validator("slack_api_url")
    @classmethod
    def _api_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("firebell_base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("expected the web app's public http(s) address")
        return value.rstrip("/")

    @field_validator("firebell_session_key")
    @classmethod
    def _session_key(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            from cryptography.fernet import Fernet

            try:
                Fernet(value.get_secret_value().encode())
            except ValueError:
                raise ValueError(
                    "expected a Fernet key (44 characters of url-safe base64); "
                    "`firebell check-config` prints a fresh one"
                ) from None
        return value

    @property
    def web_enabled(self) -> bool:
        """The web app is on when Sign in with Slack can work: client id and secret set."""
        return bool(self.slack_client_id) and self.slack_client_secret is not None

    @field_validator("database_url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        if not value.startswith(("sqlite", "postgres")):
            raise ValueError("expected sqlite:///path.db or postgresql+psycopg://user@host:5432/db")
        return value

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("expected the bot token from Slack (starts with xoxb-)")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("expected an app-level token (starts with xapp-)")
        return value


REQUIRED: dict[str, dict[str, str]] = {
    "http": {
        "slack_bot_token": "the bot token from Slack (starts with xoxb-)",
        "slack_signing_secret": "the signing secret from your Slack app's Basic Information",
    },
    "socket": {
        "slack_bot_token": "the bot token from Slack (starts with xoxb-)",
        "slack_app_token": "an app-level token with connections:write (starts with xapp-)",
    },
    "none": {},
}


def load_settings(mode: Mode = "none", **overrides: Any) -> Settings:
    """Settings for a run mode, or ConfigError with one line per problem."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        lines = problems(exc, Settings, lambda key: key.split(".")[0].upper())
        raise ConfigError("\n".join(lines)) from None
    missing = [
        f"{name.upper()}: missing; expected {what}"
        for name, what in REQUIRED[mode].items()
        if getattr(settings, name) is None
    ]
    if missing:
        raise ConfigError("\n".join(missing))
    return settings


def run_mode(settings: Settings, chosen: str | None = None) -> tuple[Mode, str]:
    """The mode `check-config` checks, and why: the one asked for, else what the settings
    point to, else Socket Mode (the manifest's default)."""
    hint = "; pass --mode http or --mode socket to check the other"
    if chosen == "http":
        return "http", "HTTP mode (--mode http)"
    if chosen == "socket":
        return "socket", "Socket Mode (--mode socket)"
    if settings.slack_app_token is not None:
        return "socket", "Socket Mode (SLACK_APP_TOKEN is set)" + hint
    if settings.slack_signing_secret is not None:
        return "http", "HTTP mode (SLACK_SIGNING_SECRET is set, SLACK_APP_TOKEN is not)" + hint
    return "socket", "Socket Mode (the manifest's default)" + hint


class FirebellConfig(OnCallConfig, DetectionConfig):
    """`firebell.yml`: team policy. Unknown keys are errors, so typos do not pass silently.

    SLA policies, schedules, escalation policies, paging and the digest come
    from OnCallConfig (bot/sla/config.py).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    # Slack user IDs (U…) or user-group IDs (S…) of people who may steer any issue.
    admins: list[UserOrGroupId] = Field(default_factory=list)
    channel_prefix: str = Field(
        default="inc",
        pattern=r"^[a-z0-9][a-z0-9_-]{0,9}$",
        description="up to 10 lowercase letters, digits, dashes or underscores",
        examples=["inc"],
    )
    # A folder of the team's own playbooks (relative to firebell.yml).
    playbooks_dir: Path | None = Field(default=None, examples=["playbooks"])
    review: ReviewConfig = Field(default_factory=ReviewConfig)
    metrics: MetricsConfig = Field(default_factory=MetricsConfig)
    api: ApiConfig = Field(default_factory=ApiConfig)
    types: dict[IssueType, TypeSettings] = Field(default_factory=dict)
    # The central feed of new issues (a channel the bot is in).
    announce: AnnounceConfig | None = None
    triage: TriageConfig = Field(default_factory=TriageConfig)
    # Reports from outside Slack: upload limits and the sites that embed the reporter.
    intake: IntakeConfig = Field(default_factory=IntakeConfig)
    # The public status page (/status); none: the page says it is not set up.
    status_page: StatusPageConfig | None = None
    # Zendesk both ways (bot/integrations/): tagged tickets open or join issues, and
    # their tickets hear of each status change; none: /webhooks/zendesk is off.
    zendesk: ZendeskConfig | None = None
    # Jira Cloud, both ways (bot/integrations/); none: no Jira.
    jira: JiraConfig | None = None


def load_config(path: Path | None) -> FirebellConfig:
    """Read firebell.yml; a bad file raises ConfigError naming the file, the key and the problem."""
    if path is None:
        return FirebellConfig()
    raw = read_mapping(path, "a mapping of settings at the top level")
    # Secrets may stay out of the file: `${JIRA_API_TOKEN}` is read from the environment.
    if isinstance(raw.get("playbooks_dir"), str):
        raw["playbooks_dir"] = path.parent / raw["playbooks_dir"]
    try:
        return FirebellConfig(**raw)
    except ValidationError as exc:
        lines = problems(exc, FirebellConfig, lambda key: f"{path}: {key}")
        raise ConfigError("\n".join(lines)) from None
