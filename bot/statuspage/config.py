"""The `status_page` section of firebell.yml."""

from __future__ import annotations

from datetime import timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.durations import Duration


class Component(BaseModel):
    """A part of the product as customers know it, and the services behind it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=80)
    services: list[str] = Field(default_factory=list)
    description: str | None = Field(default=None, max_length=300)

    def covers(self, service: str | None) -> bool:
        """Whether an issue of this service affects the component (in any case)."""
        wanted = (service or "").strip().casefold()
        return bool(wanted) and wanted in {s.strip().casefold() for s in self.services}


class StatusPageConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(default="Status", min_length=1, max_length=120)
    components: list[Component] = Field(default_factory=list)
    # How long a resolved incident stays listed.
    keep_resolved: Duration = timedelta(days=7)

    @field_validator("components")
    @classmethod
    def _distinct_names(cls, value: list[Component]) -> list[Component]:
        names = [c.name.casefold() for c in value]
        twice = sorted({c.name for c in value if names.count(c.name.casefold()) > 1})
        if twice:
            raise ValueError(f"component names must differ: {', '.join(twice)} is listed twice")
        return value
