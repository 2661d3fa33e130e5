"""The one membership and visibility rule (bot/core/membership.py): who is in an issue,
the same answer as a list and as a condition, and who may see a private issue."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.core.errors import FirebellError
from bot.core.membership import (
    MEMBER,
    can_see,
    member_of,
    members_of,
    open_to_anyone,
    public_only,
    record_joined,
    record_left,
    require_can_see,
    roles_of,
    visible_to,
    visible_to_a_channel,
)
from bot.incidents import kinds
from bot.incidents.roles import channel_joined, channel_left
from storage.db import Database
from storage.models import Issue, Participant

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PEOPLE = ("UREP", "UCMD", "UASG", "UHELP", "UMOVED", "UJOIN", "UOUT")


def _issue(db: Database, number: int, *, private: bool, **fields: object) -> Issue:
    with db.session() as session:
        issue = Issue(
            number=number,
            idempotency_key=f"k{number}",
            title=f"Issue {number}",
            type="bug",
            severity="major",
            private=private,
            channel_id=f"C{number}",
            created_at=NOW,
            **fields,  # type: ignore[arg-type]
        )
        session.add(issue)
        session.flush()
        return issue


def _participant(db: Database, issue: Issue, user_id: str, role: str) -> None:
    with db.session() as session:
        assert issue.id is not None
        session.add(Participant(issue_id=issue.id, user_id=user_id, role=role, added_at=NOW))


def _secret(db: Database) -> Issue:
    """A private issue with one member of every kind, and UOUT outside it."""
    issue = _issue(db, 1, private=True, reporter_id="UREP", commander_id="UCMD", assignee_id="UASG")
    _participant(db, issue, "UREP", "reporter")
    _participant(db, issue, "UHELP", "scribe")
    _participant(db, issue, "UMOVED", "reporter")  # moved here by a merge
    _participant(db, issue, "UJOIN", MEMBER)  # joined the channel
    return issue


def test_members_are_the_leads_the_reporters_the_helpers_and_the_channel(db: Database) -> None:
    issue = _secret(db)
    with db.session() as session:
        assert members_of(session, issue) == {"UREP", "UCMD", "UASG", "UHELP", "UMOVED", "UJOIN"}
        roles = roles_of(session, issue)
    assert roles["UREP"] == ["reporter"] and roles["UCMD"] == ["commander"]
    assert roles["UJOIN"] == [MEMBER] and "UOUT" not in roles


def test_the_list_and_the_condition_give_the_same_members(db: Database) -> None:
    secret, other = _secret(db), _issue(db, 2, private=True, reporter_id="UOUT")
    with db.session() as session:
        for user in PEOPLE:
            ids = set(session.exec(select(Issue.id).where(member_of(user))))
            assert (secret.id in ids) == (user in members_of(session, secret)), user
            assert (other.id in ids) == (user == "UOUT"), user


def test_a_private_issue_only_to_its_members_a_public_one_to_anyone(db: Database) -> None:
    secret = _secret(db)
    public = _issue(db, 2, private=False, reporter_id="UREP")
    with db.session() as session:
        for user in PEOPLE:
            assert can_see(session, user, secret) == (user != "UOUT"), user
            assert can_see(session, user, public)
    shown = visible_to(db, [secret, public], "UOUT")
    assert shown.shown == [public] and shown.note() == "1 private issue, seen only by its members"
    assert visible_to(db, [secret, public], "UMOVED").shown == [secret, public]
    try:
        require_can_see(db, secret, "UOUT")
    except FirebellError as refused:
        assert "INC-1 is private" in str(refused)
    else:
        raise AssertionError("an outsider saw a private issue")
    require_can_see(db, secret, "UJOIN")


def test_an_audience_without_members_sees_public_issues_only(db: Database) -> None:
    secret = _secret(db)
    public = _issue(db, 2, private=False, reporter_id="UREP")
    assert not open_to_anyone(secret) and open_to_anyone(public)
    assert visible_to_a_channel([secret, public]).shown == [public]
    with db.session() as session:
        assert list(session.exec(select(Issue.id).where(public_only()))) == [public.id]


def test_a_tool_that_reported_is_no_member(db: Database) -> None:
    issue = _issue(db, 1, private=True, reporter_id="alertmanager")
    with db.session() as session:
        assert members_of(session, issue) == frozenset()


def test_joining_and_leaving_the_channel_and_being_invited(db: Database) -> None:
    clock = FakeClock(NOW)
    secret = _secret(db)
    channel_joined(db, clock, "C1", "UOUT")
    channel_joined(db, clock, "C1", "UOUT")  # once only
    channel_joined(db, clock, "CNOTANISSUE", "UOUT")  # not an issue's channel: nothing
    with db.session() as session:
        assert roles_of(session, secret)["UOUT"] == [MEMBER]
    channel_left(db, "C1", "UOUT")
    channel_left(db, "C1", "UHELP")  # a role holder stays a member by the role
    with db.session() as session:
        assert "UOUT" not in members_of(session, secret)
        assert "UHELP" in members_of(session, secret)
        kinds.invite(session, clock, secret, "UOUT")  # paged by name: let into the channel
        assert can_see(session, "UOUT", secret)
        record_left(session, secret, "UOUT")
        record_joined(session, secret, "UOUT", NOW)
        assert can_see(session, "UOUT", secret)
