"""Who is in an issue, and who may see it: one membership and one visibility rule.

Every surface asks here: lists, App Home, the digest, search, duplicate suggestions,
the catch-up summary, reviews, `/incident stats`, the feed, the API and the web pages.

**Members** of an issue are
- the people on its row: the reporter (when a person), the commander, the assignee;
- everyone recorded as a participant (the `participants` table): reporters added
  later (a merge moves the duplicate's reporters), people given a role (commander,
  assignee, comms, scribe), people the bot invited into the issue's channel (a lead,
  someone paged by name), and people who joined the channel (Slack's
  `member_joined_channel`; `member_left_channel` removes that row, never a role).

So the channel's membership is kept in the database, and the rule is answered from
the database alone: the web app and the API need no Slack call.

**Visibility**: a public issue is open to everyone; a private one to its members only.
An audience that is not a person (a channel message, an API token without private
access) has no member list: it sees public issues, and private ones only as a count
(lists) or by key (a mention of another issue).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, insert
from sqlmodel import Session, col, or_, select

from bot.core.errors import FirebellError
from bot.core.reporters import is_person
from storage.bulk import any_of, pg_insert_rows
from storage.db import Database
from storage.models import Issue, Participant

# The participant role of someone in the issue's channel with no other role.
MEMBER = "member"


def roles_of(session: Session, issue: Issue) -> dict[str, list[str]]:
    """Each member and the roles they hold ("member": in the channel, with no other)."""
    roles: dict[str, list[str]] = {}
    on_row = (
        ("reporter", issue.reporter_id),
        ("commander", issue.commander_id),
        ("assignee", issue.assignee_id),
    )
    for role, user in on_row:
        if user is not None and is_person(user):
            roles.setdefault(user, []).append(role)
    rows = session.exec(
        select(Participant).where(Participant.issue_id == issue.id).order_by(col(Participant.id))
    )
    for row in rows:
        held = roles.setdefault(row.user_id, [])
        if row.role not in held:
            held.append(row.role)
    return roles


def members_of(session: Session, issue: Issue, known: Known | None = None) -> frozenset[str]:
    """The Slack user ids of everyone in the issue (`known`: its participant rows, read
    with a batch by `participants_of`)."""
    if known is None:
        return frozenset(roles_of(session, issue))
    on_row = (issue.reporter_id, issue.commander_id, issue.assignee_id)
    people = {user for user in on_row if user is not None and is_person(user)}
    return frozenset(people | {user for user, _role in known.get(issue.id or 0, set())})


# Participant rows of many issues, read in one query: issue id -> {(user id, role)}.
Known = dict[int, set[tuple[str, str]]]


def participants_of(session: Session, issue_ids: list[int]) -> Known:
    found: Known = {i: set() for i in issue_ids}
    pg = session.get_bind().dialect.name == "postgresql"
    rows = session.exec(
        select(Participant.issue_id, Participant.user_id, Participant.role).where(
            any_of(Participant.issue_id, issue_ids, pg)
        )
    )
    for issue_id, user_id, role in rows:
        found[issue_id].add((user_id, role))
    return found


def member_of(user_id: str) -> ColumnElement[bool]:
    """The same rule as `members_of`, as a condition on issues: those `user_id` is in."""
    # Per issue (uq_participant_role leads with issue_id): "id IN (the issues I was
    # ever in)" read the person's whole history for each list, a cost that grew with it.
    # OFFSET 0 keeps it per issue on PostgreSQL too, which otherwise may turn an EXISTS
    # under OR into a hash of every participant row of the person (a "hashed SubPlan":
    # `/incident list mine` and App Home 1.5-1.7x slower at 100k issues than at 1k).
    joined = (
        select(Participant.issue_id)
        .where(Participant.issue_id == Issue.id, Participant.user_id == user_id)
        .offset(0)
        .exists()
    )
    return or_(
        col(Issue.reporter_id) == user_id,
        col(Issue.commander_id) == user_id,
        col(Issue.assignee_id) == user_id,
        joined,
    )


def public_only() -> ColumnElement[bool]:
    """What an audience without a member list may see, as a condition on issues."""
    return col(Issue.private).is_(False)


def seen_by(user_id: str) -> ColumnElement[bool]:
    """The same rule as `can_see`, as a condition on issues: those `user_id` may see."""
    return or_(public_only(), member_of(user_id))


def can_see(session: Session, user_id: str, issue: Issue) -> bool:
    """The one rule: a public issue is open to everyone, a private one to its members."""
    return open_to_anyone(issue) or issue.id in _issues_with(session, user_id, [issue])


def _issues_with(session: Session, user_id: str, issues: list[Issue]) -> set[int | None]:
    """Which of these issues `user_id` is a member of (one query)."""
    ids = [i.id for i in issues if i.id is not None]
    if not ids:
        return set()
    found = session.exec(select(Issue.id).where(col(Issue.id).in_(ids), member_of(user_id)))
    return set(found)


def open_to_anyone(issue: Issue) -> bool:
    """What an audience with no member list (a channel, a DM about another issue, a
    token without private access) may be shown: public issues only."""
    return not issue.private


def require_can_see(db: Database, issue: Issue, user_id: str) -> None:
    with db.session() as session:
        allowed = can_see(session, user_id, issue)
    if not allowed:
        raise FirebellError(f"{issue.key} is private: only its members can see it.")


@dataclass(frozen=True)
class Visible:
    """What one audience may see of a list of issues: the issues, and how many private
    ones were left out (shown only as a count)."""

    shown: list[Issue]
    private_hidden: int = 0

    def note(self) -> str | None:
        """ "1 private issue" for the hidden ones, or None when none is hidden."""
        n = self.private_hidden
        if not n:
            return None
        if n == 1:
            return "1 private issue, seen only by its members"
        return f"{n} private issues, seen only by their members"


def visible_to(db: Database, issues: list[Issue], user_id: str) -> Visible:
    """The issues one person may see; the rest count as private ones left out."""
    private = [i for i in issues if not open_to_anyone(i)]
    with db.session() as session:
        mine = _issues_with(session, user_id, private)
    shown = [i for i in issues if open_to_anyone(i) or i.id in mine]
    return Visible(shown, len(issues) - len(shown))


def visible_to_a_channel(issues: list[Issue]) -> Visible:
    """What a message to a channel may show: private issues appear only as a count."""
    shown = [issue for issue in issues if open_to_anyone(issue)]
    return Visible(shown, len(issues) - len(shown))


def add_participant(
    session: Session,
    issue: Issue,
    user_id: str,
    role: str,
    at: datetime,
    known: Known | None = None,
    rows: list[dict[str, object]] | None = None,
) -> None:
    """The one writer of participant rows (a reporter, a lead's role, a member): once
    per person and role. With `known` (the issue's rows, read with a batch) it reads
    nothing, and adds the new row to it; with `rows` too, the new row is a plain dict
    appended there, for the batch to insert with its others (`insert_participants`)."""
    assert issue.id is not None
    if known is not None:
        held = known.setdefault(issue.id, set())
        if (user_id, role) not in held:
            held.add((user_id, role))
            if rows is not None:
                rows.append(
                    {"issue_id": issue.id, "user_id": user_id, "role": role, "added_at": at}
                )
            else:
                session.add(Participant(issue_id=issue.id, user_id=user_id, role=role, added_at=at))
        return
    exists = session.exec(
        select(Participant.id).where(
            Participant.issue_id == issue.id,
            Participant.user_id == user_id,
            Participant.role == role,
        )
    ).first()
    if exists is None:
        session.add(Participant(issue_id=issue.id, user_id=user_id, role=role, added_at=at))


def record_joined(
    session: Session,
    issue: Issue,
    user_id: str,
    at: datetime,
    known: Known | None = None,
    rows: list[dict[str, object]] | None = None,
) -> None:
    """Someone is in the issue's channel (invited by the bot, or joined): a member."""
    add_participant(session, issue, user_id, MEMBER, at, known, rows)


def insert_participants(session: Session, rows: list[dict[str, object]]) -> None:
    """The participant rows a batch gathered (`add_participant`'s `rows`), in one INSERT."""
    table = Participant.__table__  # type: ignore[attr-defined]
    full = [{"muted": False, **row} for row in rows]
    if session.get_bind().dialect.name == "postgresql":
        pg_insert_rows(session, table, full)
    elif full:
        session.execute(insert(table), full)


def record_left(session: Session, issue: Issue, user_id: str) -> None:
    """Someone left the issue's channel: they stay a member only by a role they hold."""
    rows = session.exec(
        select(Participant).where(
            Participant.issue_id == issue.id,
            Participant.user_id == user_id,
            Participant.role == MEMBER,
        )
    )
    for row in rows:
        session.delete(row)
