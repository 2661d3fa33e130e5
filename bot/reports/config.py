"""The `intake` section of firebell.yml: what a report from outside Slack may carry,
and the sites that embed the reporter, each with its public key."""

from __future__ import annotations

from typing import Annotated

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, field_validator

from bot.core.config_types import Name
from bot.core.domain import IssueType, Severity, SeverityName
from bot.incidents.file_rules import FileLimits

# The shortest public intake key: it is public (in the site's page), so its length only
# keeps keys from colliding and from being guessed for a site that is not listed.
KEY_MIN_LENGTH = 16
SITE_NAME_MAX = 24  # a site's visitors are the reporter `web:<site>`
# Screenshots, logs and HAR files; anything else is refused with the list.
DEFAULT_TYPES = [
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "text/plain",
    "text/csv",
    "application/json",
    "application/har+json",
    "application/pdf",
]

SiteKey = Annotated[
    str,
    Field(
        min_length=KEY_MIN_LENGTH,
        max_length=100,
        pattern=r"^[A-Za-z0-9_-]+$",
        description=f"a public key of at least {KEY_MIN_LENGTH} letters, digits, _ or -",
        examples=["pk_shop_3f9a1c2b7d4e8f60"],
    ),
]


class Site(BaseModel):
    """A web product that embeds the reporter (`/embed.js`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    key: SiteKey
    # Pages of these origins may post reports with this key (CORS); scheme, host and
    # port, no path: `https://shop.example.com`.
    origins: list[AnyHttpUrl] = Field(min_length=1)
    service: str | None = Field(default=None, max_length=80)
    type: IssueType = IssueType.BUG
    severity: SeverityName = Severity.MINOR
    rate_per_minute: int = Field(default=30, ge=1, le=10_000)

    @field_validator("origins")
    @classmethod
    def _bare_origins(cls, value: list[AnyHttpUrl]) -> list[AnyHttpUrl]:
        for url in value:
            if url.path not in (None, "", "/") or url.query or url.fragment:
                raise ValueError(
                    f"an origin is a scheme, a host and a port only, e.g. "
                    f"`{url.scheme}://{url.host}` (not `{url}`)"
                )
        return value

    def origin_strings(self) -> set[str]:
        """The origins as a browser sends them in its Origin header."""
        found = set()
        for url in self.origins:
            default = {"http": 80, "https": 443}.get(url.scheme)
            port = "" if url.port in (None, default) else f":{url.port}"
            found.add(f"{url.scheme}://{url.host}{port}")
        return found


class IntakeConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Each attached file, and a whole report with its files, at most this size.
    max_upload_mb: int = Field(default=10, ge=1, le=100)
    allowed_types: list[str] = Field(default_factory=lambda: list(DEFAULT_TYPES), min_length=1)
    sites: dict[Name, Site] = Field(default_factory=dict)

    @field_validator("sites")
    @classmethod
    def _distinct_keys(cls, value: dict[str, Site]) -> dict[str, Site]:
        seen: dict[str, str] = {}
        for name, site in value.items():
            if site.key in seen:
                raise ValueError(
                    f"sites {seen[site.key]} and {name} share one key; give each its own"
                )
            seen[site.key] = name
        return value

    @field_validator("sites")
    @classmethod
    def _short_names(cls, value: dict[str, Site]) -> dict[str, Site]:
        # A site's visitor reports as `web:<site>` (core/reporters.py), which must fit
        # the 32 characters of a reporter id.
        long = sorted(name for name in value if len(name) > SITE_NAME_MAX)
        if long:
            raise ValueError(
                f"a site's name is at most {SITE_NAME_MAX} characters: shorten {', '.join(long)}"
            )
        return value

    def origins(self) -> set[str]:
        """Every site's origins: the pages a browser may send a report from at all."""
        return {origin for site in self.sites.values() for origin in site.origin_strings()}

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024

    def file_limits(self) -> FileLimits:
        """The one rule for a report's files, whatever brings them."""
        return FileLimits.of(self.allowed_types, self.max_upload_bytes)

    def site_for_key(self, key: str) -> tuple[str, Site] | None:
        for name, site in self.sites.items():
            if site.key == key:
                return name, site
        return None
