"""The status page's side effects: the notice of a publication in the issue's channel,
rendered at delivery from the stored post."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar

from bot.core.delivery import Payload


class StatusPageKind(StrEnum):
    PUBLISHED_NOTICE = "status_published_notice"


@dataclass(frozen=True)
class PublishedNotice(Payload):
    """In the issue's channel: "Published to the status page: …"."""

    kind: ClassVar = StatusPageKind.PUBLISHED_NOTICE
    post_id: int
