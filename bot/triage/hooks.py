"""At filing: queue the search for likely duplicates of a person's report (or of a
report from someone outside Slack), to run after the filing commits."""

from __future__ import annotations

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.incidents.hooks import IssueHooks
from bot.triage.duplicates import compared
from bot.triage.kinds import FindDuplicates
from storage.models import Issue


def finder_stream(issue_id: int) -> str:
    """A stream of its own: the issue's channel, card and DMs never wait for the finder,
    and a finder that keeps failing holds up nothing else."""
    return f"triage:{issue_id}"


class SuggestAtIntake(IssueHooks):
    """The finder runs outside the filing transaction (`TriageDelivery.find`), in a
    database thread: filing is as fast with 100k issues as with none, and the card
    gains its "possible duplicate" line when the finder has answered."""

    def __init__(self, clock: Clock) -> None:
        self.clock = clock

    def on_provisioned(self, session: Session, issue: Issue) -> None:
        assert issue.id is not None
        if compared(issue):
            enqueue(
                session, self.clock, FindDuplicates(), issue=issue, stream=finder_stream(issue.id)
            )
