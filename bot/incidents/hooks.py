"""What other slices do when an issue changes, without incidents knowing them.

Incidents sits below SLA, detection and reviews, so it cannot call them. It
calls these hooks instead, in the change's own transaction; `create_app`
fills the list (SLA clocks start at filing, a review is offered at Fixed).
Peer slices reach one another the same way: an alert route that pages on open
(detection) starts the SLA slice's escalation through `start_escalation_on_open`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlmodel import Session

from storage.models import Issue


class IssueHooks:
    """One slice's reactions; every method does nothing unless overridden."""

    def on_filed(self, session: Session, issue: Issue) -> None:
        return None

    def on_provisioned(self, session: Session, issue: Issue) -> None:
        """After filing has queued the new issue's channel, card and messages."""
        return None

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        return None

    def on_update(
        self, session: Session, issue: Issue, at: datetime, next_in: timedelta | None = None
    ) -> None:
        """A status update; `next_in` is when the poster promised the next one."""
        return None

    def on_severity_changed(self, session: Session, issue: Issue) -> None:
        return None

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        return None

    def on_reopened(self, session: Session, issue: Issue, at: datetime) -> None:
        return None

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        """After every move; `issue.status` is the new status."""
        return None

    def on_reporters_told(self, session: Session, issue: Issue, before: str, after: str) -> None:
        """A status move the reporters are told of (not a merge's close, which tells them
        in its own words): reporters outside Slack hear of it in their own tool."""
        return None

    def stop_escalations(self, session: Session, issue: Issue, at: datetime, reason: str) -> int:
        """Stop what pages people about the issue; returns how many were running."""
        return 0

    def start_escalation_on_open(self, session: Session, issue: Issue) -> None:
        """Start escalating the new issue now, as `start: on_open` would (an alert route
        asks it): once, whatever else started it."""
        return None


class HookList(IssueHooks):
    """Every slice's hooks, called in the order given."""

    def __init__(self, hooks: list[IssueHooks] | None = None) -> None:
        self.hooks = list(hooks or [])

    def on_filed(self, session: Session, issue: Issue) -> None:
        for hook in self.hooks:
            hook.on_filed(session, issue)

    def on_provisioned(self, session: Session, issue: Issue) -> None:
        for hook in self.hooks:
            hook.on_provisioned(session, issue)

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        for hook in self.hooks:
            hook.on_acknowledged(session, issue, at)

    def on_update(
        self, session: Session, issue: Issue, at: datetime, next_in: timedelta | None = None
    ) -> None:
        for hook in self.hooks:
            hook.on_update(session, issue, at, next_in)

    def on_severity_changed(self, session: Session, issue: Issue) -> None:
        for hook in self.hooks:
            hook.on_severity_changed(session, issue)

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        for hook in self.hooks:
            hook.on_fixed(session, issue, at)

    def on_reopened(self, session: Session, issue: Issue, at: datetime) -> None:
        for hook in self.hooks:
            hook.on_reopened(session, issue, at)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        for hook in self.hooks:
            hook.on_status_changed(session, issue, before, at, reopening)

    def on_reporters_told(self, session: Session, issue: Issue, before: str, after: str) -> None:
        for hook in self.hooks:
            hook.on_reporters_told(session, issue, before, after)

    def stop_escalations(self, session: Session, issue: Issue, at: datetime, reason: str) -> int:
        return sum(hook.stop_escalations(session, issue, at, reason) for hook in self.hooks)

    def start_escalation_on_open(self, session: Session, issue: Issue) -> None:
        for hook in self.hooks:
            hook.start_escalation_on_open(session, issue)
