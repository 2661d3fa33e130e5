"""The reporters of an issue: who they are, and each one's switch for status DMs.

An issue's first reporter is `Issue.reporter_id` (a person, or the alert source of
an issue an alert opened); people who report it again are reporter Participant
rows (a merged duplicate's reporters move onto the issue it repeats). The first
reporter's switch is `Issue.reporter_updates`; the others' is their row's `muted`.
Cards, DMs, merges and the digest all ask here. (How a reporter is *named* is
core/reporters.py.)
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from bot.core.membership import add_participant
from bot.core.reporters import is_person
from storage.models import Issue, Participant

ROLE = "reporter"


def reporters(session: Session, issue: Issue, *, listening: bool = False) -> list[str]:
    """Everyone who reported the issue, people only (none for an issue only an alert
    reported), sorted. `listening`: only those who have not turned status DMs off."""
    rows = session.exec(
        select(Participant).where(Participant.issue_id == issue.id, Participant.role == ROLE)
    ).all()
    # The first reporter's switch is on the issue; their own row says nothing.
    found = {row.user_id for row in rows if row.user_id != issue.reporter_id}
    if listening:
        found -= {row.user_id for row in rows if row.muted}
    if not listening or issue.reporter_updates:
        found.add(issue.reporter_id)
    return sorted(user for user in found if is_person(user))


def set_listening(session: Session, issue: Issue, user_id: str, on: bool) -> bool:
    """Turn one reporter's status DMs on or off; False if they did not report the issue."""
    if user_id == issue.reporter_id:
        issue.reporter_updates = on
        session.add(issue)
        return True
    rows = session.exec(
        select(Participant).where(
            Participant.issue_id == issue.id,
            Participant.user_id == user_id,
            Participant.role == ROLE,
        )
    ).all()
    for row in rows:
        row.muted = not on
        session.add(row)
    return bool(rows)


def add_reporter(session: Session, issue: Issue, user_id: str, at: datetime) -> None:
    """A person reported it (the filer, or a merged duplicate's reporter)."""
    add_participant(session, issue, user_id, ROLE, at)
