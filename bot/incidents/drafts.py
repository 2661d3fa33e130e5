"""A new issue as a source describes it, before it is filed (no storage, no Slack)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.core.domain import IssueType, Priority, Severity
from bot.incidents.attachments import AttachmentIn


@dataclass(frozen=True)
class Source:
    """The Slack message an issue was filed from."""

    channel_id: str
    message_ts: str
    permalink: str | None = None


@dataclass(frozen=True)
class IssueDraft:
    """A new issue as any source describes it; the reporter is a person or a tool."""

    title: str
    type: IssueType
    severity: Severity
    reporter_id: str
    priority: Priority | None = None
    service: str | None = None
    environment: str | None = None
    description: str | None = None
    stack_trace: str | None = None
    trace_id: str | None = None
    users_affected: int | None = None
    private: bool = False
    source: Source | None = None
    # A report from outside Slack: where it was sent from (reports/context.py).
    context: dict[str, Any] | None = None
    # Files that came with the report, kept and posted into the issue's channel.
    attachments: tuple[AttachmentIn, ...] = ()
