"""What the insights note when an issue changes (see incidents/hooks.py)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from bot.core.observations import ACKNOWLEDGED, FIXED, ISSUE_FILED, note
from bot.incidents.hooks import IssueHooks
from bot.incidents.issue_figures import TIME_TO_ACKNOWLEDGE, TIME_TO_FIX
from bot.insights.figures import source_of
from storage.models import Issue


class NoteTransitions(IssueHooks):
    def on_filed(self, session: Session, issue: Issue) -> None:
        note(session, ISSUE_FILED, source_of(issue), issue.severity, about=issue)

    def on_acknowledged(self, session: Session, issue: Issue, at: datetime) -> None:
        seconds = TIME_TO_ACKNOWLEDGE.seconds(issue)
        if seconds is not None:
            note(session, ACKNOWLEDGED, issue.severity, value=seconds, about=issue)

    def on_fixed(self, session: Session, issue: Issue, at: datetime) -> None:
        seconds = TIME_TO_FIX.seconds(issue)
        if seconds is not None:
            note(session, FIXED, issue.severity, value=seconds, about=issue)
