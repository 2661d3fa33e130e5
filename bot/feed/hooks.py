"""When an issue goes to the feed, and when its feed message is edited."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.membership import open_to_anyone
from bot.feed import kinds
from bot.feed.config import AnnounceConfig
from bot.incidents.hooks import IssueHooks
from storage.models import FeedMessage, Issue


class AnnounceIssues(IssueHooks):
    """A new issue of a chosen severity is posted once provisioned (its channel exists
    by then); an issue raised into those severities later is posted then. Private
    issues never are. Each status, lead or severity change edits the message."""

    def __init__(self, config: AnnounceConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock

    def _wanted(self, issue: Issue) -> bool:
        return open_to_anyone(issue) and self.config.takes(issue.severity)

    def on_provisioned(self, session: Session, issue: Issue) -> None:
        if self._wanted(issue):
            kinds.post(session, self.clock, issue, self.config.channel)

    def on_severity_changed(self, session: Session, issue: Issue) -> None:
        if self._wanted(issue):  # raised into the feed's severities: post (once, at delivery)
            kinds.post(session, self.clock, issue, self.config.channel)
        self._edit(session, issue)

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        self._edit(session, issue)

    def on_status_changed(
        self, session: Session, issue: Issue, before: str, at: datetime, reopening: bool
    ) -> None:
        self._edit(session, issue)

    def _edit(self, session: Session, issue: Issue) -> None:
        """Edits queue behind the post on the issue's stream; one for an issue never
        posted does nothing at delivery."""
        if self._wanted(issue) or session.get(FeedMessage, issue.id) is not None:
            kinds.edit(session, self.clock, issue)
