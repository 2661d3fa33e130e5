"""`announce` in firebell.yml: where the central feed of new issues goes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from bot.core.config_types import ChannelId
from bot.core.domain import SeverityName


class AnnounceConfig(BaseModel):
    """`announce: {channel: C…, severities: [critical, major]}`; no severities: all."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    channel: ChannelId
    severities: list[SeverityName] = Field(default_factory=list)

    def takes(self, severity: str) -> bool:
        return not self.severities or severity in self.severities
