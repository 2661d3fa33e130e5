"""The updates published to the status page: the one query every public surface reads
(the status page, its JSON and feed, and a reporter's status link)."""

from __future__ import annotations

from sqlmodel import Session, select

from storage.models import Issue, StatusPost


def public_updates(session: Session, issue: Issue) -> list[StatusPost]:
    """The issue's published updates, oldest first; none for a private issue, ever."""
    if issue.private:
        return []
    return list(
        session.exec(
            select(StatusPost)
            .where(StatusPost.issue_id == issue.id)
            .order_by(StatusPost.posted_at, StatusPost.id)  # type: ignore[arg-type]
        ).all()
    )
