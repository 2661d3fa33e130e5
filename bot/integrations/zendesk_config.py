"""The `zendesk` section of firebell.yml: the account, the agent Firebell writes as,
the webhook's signing secret, the tag that opens an issue and how comments are posted."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.config_types import EnvSecret


class ZendeskConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The account's address (https://<subdomain>.zendesk.com).
    url: str = Field(
        pattern=r"^https?://[^\s/?#]+/?$",
        description="the Zendesk account's address, without a path",
        examples=["https://example.zendesk.com"],
    )
    # The agent whose API token Firebell uses; comments appear as theirs.
    email: str = Field(
        pattern=r"^[^@\s]+@[^@\s]+$",
        description="the email address of the Zendesk agent Firebell writes as",
        examples=["agent@example.com"],
    )
    # Admin Center → Apps and integrations → Zendesk API → API tokens.
    api_token: Annotated[EnvSecret, Field(examples=["${ZENDESK_API_TOKEN}"])]
    # The webhook's signing secret (Admin Center → Webhooks → the webhook → Reveal secret).
    webhook_secret: Annotated[EnvSecret, Field(examples=["${ZENDESK_WEBHOOK_SECRET}"])]
    # A ticket with this tag opens an issue; one tagged with a key (`inc-42`) joins it.
    open_tag: str = Field(
        default="firebell",
        pattern=r"^[a-z0-9_./:-]{1,80}$",
        description="a Zendesk tag (lowercase, no spaces)",
        examples=["firebell"],
    )
    # public: the requester sees the comments (and gets them by email); internal: notes
    # for the agents only, who pass them on.
    comments: Literal["public", "internal"] = "internal"

    @field_validator("url")
    @classmethod
    def _no_trailing_slash(cls, value: str) -> str:
        return value.rstrip("/")

    def ticket_link(self, ticket_id: int) -> str:
        return f"{self.url}/agent/tickets/{ticket_id}"
