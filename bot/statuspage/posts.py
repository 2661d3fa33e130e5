"""The updates published to the status page: the one query every public surface reads
(the status page, its JSON and feed, and a reporter's status link)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, col, select

from storage.models import Issue, StatusPost


def public_updates(session: Session, issue: Issue) -> list[StatusPost]:
    """The issue's published updates, oldest first; none for a private issue, ever."""
    return public_updates_of(session, [issue]).get(issue.id or 0, [])


def public_updates_of(session: Session, issues: Sequence[Issue]) -> dict[int, list[StatusPost]]:
    """The published updates of many issues in one read, by issue id, oldest first; a
    private issue has none, ever (it is not even asked about)."""
    ids = [issue.id for issue in issues if issue.id is not None and not issue.private]
    found: dict[int, list[StatusPost]] = {}
    if not ids:
        return found
    rows = session.exec(
        select(StatusPost)
        .where(col(StatusPost.issue_id).in_(ids))
        .order_by(col(StatusPost.posted_at), col(StatusPost.id))
    )
    for post in rows:
        found.setdefault(post.issue_id, []).append(post)
    return found
