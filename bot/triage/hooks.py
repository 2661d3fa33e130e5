"""At filing: look for likely duplicates of a person's report and tell the reporter."""

from __future__ import annotations

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.reporters import is_person
from bot.incidents.hooks import IssueHooks
from bot.triage.duplicates import find_duplicates
from bot.triage.kinds import SuggestDuplicates
from bot.triage.search import SearchIndex
from bot.triage.tuned import Threshold
from storage.models import Issue


class SuggestAtIntake(IssueHooks):
    """After provisioning is queued: the suggestions are stored in the filing's own
    transaction (the card shows them when posted) and the reporter's DM follows."""

    def __init__(self, index: SearchIndex, clock: Clock) -> None:
        self.index = index
        self.clock = clock
        self.threshold = Threshold()  # tuned on this installation's answers, if stored

    def on_provisioned(self, session: Session, issue: Issue) -> None:
        # Someone outside Slack (a Zendesk requester) gets no DM: the card shows them.
        found = find_duplicates(session, self.index, issue, self.threshold.get(session))
        if found and is_person(issue.reporter_id):
            enqueue(session, self.clock, SuggestDuplicates(), issue=issue)
