"""Merging a duplicate into the issue it repeats, linking related issues, and the
"not a duplicate" answer.

A merge closes the duplicate as "duplicate of INC-12" (through the lifecycle's
close from any status, so every close's hooks run), moves its reporters onto
INC-12 (they keep getting status DMs, now INC-12's), adds its occurrences to
INC-12's, and records the merge on both timelines, all in one transaction.

A reporter moved onto an issue is one of its members (core/membership.py), so a
merge into a private issue that some of the duplicate's reporters may not see is
never done silently: the person merging chooses (`Reporters`) whether they become
members (invited to its channel) or stay outside, on the duplicate, hearing only
that it was merged into an issue handled privately.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.core.delivery import enqueue, saved_id
from bot.core.domain import Priority, label
from bot.core.errors import FirebellError
from bot.core.membership import can_see
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.closing import Closing
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.lifecycle import Changed, Lifecycle
from bot.incidents.reporters import add_reporter, reporters
from bot.incidents.rules import can_steer, is_open, is_unowned
from bot.triage import kinds
from bot.triage.config import TriageConfig
from bot.triage.event_kinds import TriageEvent
from storage.db import Database
from storage.models import DuplicateSuggestion, Issue, IssueLink, TimelineEvent

PRIORITY_RANK = {Priority.LOW: 0, Priority.MEDIUM: 1, Priority.HIGH: 2}


class Reporters(StrEnum):
    """Where the duplicate's reporters go when they may not see the issue it repeats."""

    ADD = "add"  # members of it: invited to its channel, its status DMs
    KEEP_OUT = "keep_out"  # they stay on the duplicate, told only "handled privately"


@dataclass(frozen=True)
class Question:
    """What the person merging is asked: `outsiders` reported the duplicate and may
    not see `into` (a private issue)."""

    duplicate_id: int
    duplicate_key: str
    into_id: int
    into_key: str
    outsiders: list[str]


class AskFirst(Exception):
    """The merge waits for the person's choice (nothing is changed yet)."""

    def __init__(self, question: Question) -> None:
        super().__init__(question.into_key)
        self.question = question


def merged_notice(session: Session, clock: Clock, issue: Issue, event: TimelineEvent) -> None:
    """The channel hears of a merge in triage's words (which name the other issue)."""
    enqueue(session, clock, kinds.MergedNotice(saved_id(session, event)), issue=issue)


class Merges:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        lifecycle: Lifecycle,
        config: TriageConfig,
    ) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle
        self.config = config

    def merge(
        self, duplicate_id: int, into_id: int, actor: Actor, choice: Reporters | None = None
    ) -> Changed:
        """AskFirst when some reporters may not see `into` and `choice` does not say."""
        now = self.clock.now()
        with self.db.session() as session:
            dup, into = session.get(Issue, duplicate_id), session.get(Issue, into_id)
            if dup is None or into is None:
                raise FirebellError("That issue no longer exists.")
            self._check(dup, into, actor)
            outsiders = [u for u in reporters(session, dup) if not can_see(session, u, into)]
            if outsiders and choice is None:
                raise AskFirst(Question(dup.id or 0, dup.key, into.id or 0, into.key, outsiders))
            moving = set(reporters(session, dup)) - set(reporters(session, into))
            if choice == Reporters.KEEP_OUT:
                moving -= set(outsiders)
            for user in outsiders if choice == Reporters.ADD else []:
                incident_kinds.invite(session, self.clock, into, user)
            dup.merged_into_id = into.id
            # Closed "as a duplicate of INC-12" from any status: the lifecycle's one close
            # (clocks, feed, rollup), told in merge's words; its reporters hear below.
            closing = Closing(
                kind=TriageEvent.MERGED_INTO,
                reason="merged",
                tell_reporter=False,
                announce=merged_notice,
                details={"key": into.key},
            )
            self.lifecycle.force_close(session, dup, actor, closing)
            for user in sorted(moving):
                add_reporter(session, into, user, now)
            into.occurrences += dup.occurrences
            session.add_all([dup, into])
            text = f"{dup.key}: {dup.title}\n{dup.description or ''}"
            if dup.private and not into.private:  # a private issue's words stay out of sight
                text = dup.key
            here = add_event(
                session,
                into,
                TriageEvent.MERGED_FROM,
                self.clock,
                actor.user_id,
                key=dup.key,
                text=text,
            )
            merged_notice(session, self.clock, into, here)
            incident_kinds.refresh_card(session, self.clock, into)
            # Worded at delivery for what each may see then (an outsider: "handled privately").
            for user in reporters(session, dup):
                enqueue(session, self.clock, kinds.MergedDm(user, into.id or 0), issue=dup)
            for row in session.exec(
                select(DuplicateSuggestion).where(
                    DuplicateSuggestion.issue_id == dup.id,
                    DuplicateSuggestion.candidate_id == into.id,
                )
            ):
                row.state, row.decided_by = "merged", actor.user_id
                session.add(row)
            self._maybe_raise_priority(session, into)
            return Changed(into, f"{dup.key} is merged into {into.key}.")

    def _check(self, dup: Issue, into: Issue, actor: Actor) -> None:
        if dup.id == into.id:
            raise FirebellError("An issue cannot be merged into itself.")
        if dup.merged_into_id is not None:
            raise FirebellError(f"{dup.key} is already merged into another issue.")
        if into.merged_into_id is not None:
            raise FirebellError(
                f"{into.key} is itself a duplicate; merge into the issue it was merged into."
            )
        if not is_open(into):
            raise FirebellError(
                f"{into.key} is closed: reopen it first, or link the two with "
                f"`/incident link {dup.key} {into.key}`."
            )
        own_new_report = actor.user_id == dup.reporter_id and is_unowned(dup)
        if not (can_steer(into, actor) or own_new_report):
            raise FirebellError(
                f"Only the leads of {into.key} or an admin can merge into it "
                f"(or {dup.key}'s reporter, while nobody leads {dup.key})."
            )

    def _maybe_raise_priority(self, session: Session, issue: Issue) -> None:
        rule = self.config.raise_priority
        if rule is None:
            return
        since = self.clock.now() - rule.within
        merged_recently = session.exec(
            select(Issue.id).where(Issue.merged_into_id == issue.id, col(Issue.created_at) >= since)
        ).all()
        reports = len(merged_recently) + (1 if issue.created_at >= since else 0)
        current = PRIORITY_RANK.get(Priority(issue.priority), -1) if issue.priority else -1
        if reports < rule.reports or current >= PRIORITY_RANK[rule.to]:
            return
        before, issue.priority = issue.priority, rule.to.value
        session.add(issue)
        event = add_event(
            session,
            issue,
            IncidentEvent.PRIORITY_CHANGED,
            self.clock,
            None,
            before=before,
            after=rule.to.value,
            why=f"{reports} reports within {label(str(rule.within))}",
        )
        incident_kinds.announce(session, self.clock, issue, event)

    def dismiss(self, issue_id: int, candidate_id: int, actor: Actor) -> Changed:
        """ "Not a duplicate": remembered, never suggested again for this pair."""
        if issue_id == candidate_id:
            raise FirebellError("An issue cannot be a duplicate of itself.")
        with self.db.session() as session:
            issue, other = session.get(Issue, issue_id), session.get(Issue, candidate_id)
            if issue is None or other is None:
                raise FirebellError("That issue no longer exists.")
            if not (actor.user_id == issue.reporter_id or can_steer(issue, actor)):
                raise FirebellError(
                    f"Only {issue.key}'s reporter, its leads or an admin can say it is "
                    "not a duplicate."
                )
            row = session.exec(
                select(DuplicateSuggestion).where(
                    DuplicateSuggestion.issue_id == issue_id,
                    DuplicateSuggestion.candidate_id == candidate_id,
                )
            ).first()
            if row is None:
                row = DuplicateSuggestion(
                    issue_id=issue_id,
                    candidate_id=candidate_id,
                    score=0.0,
                    created_at=self.clock.now(),
                )
            row.state, row.decided_by = "dismissed", actor.user_id
            session.add(row)
            add_event(
                session, issue, TriageEvent.NOT_DUPLICATE, self.clock, actor.user_id, key=other.key
            )
            incident_kinds.refresh_card(session, self.clock, issue)
            return Changed(issue, f"Noted: {issue.key} is not a duplicate of {other.key}.")

    def link(self, first_id: int, second_id: int, actor: Actor) -> Changed:
        if first_id == second_id:
            raise FirebellError("Link two different issues.")
        low, high = sorted((first_id, second_id))
        with self.db.session() as session:
            a, b = session.get(Issue, low), session.get(Issue, high)
            if a is None or b is None:
                raise FirebellError("That issue no longer exists.")
            exists = session.exec(
                select(IssueLink).where(IssueLink.first_id == low, IssueLink.second_id == high)
            ).first()
            if exists is not None:
                return Changed(a, f"{a.key} and {b.key} are already linked.")
            session.add(
                IssueLink(
                    first_id=low,
                    second_id=high,
                    created_by=actor.user_id,
                    created_at=self.clock.now(),
                )
            )
            for issue, other in ((a, b), (b, a)):
                add_event(
                    session, issue, TriageEvent.LINKED, self.clock, actor.user_id, key=other.key
                )
                incident_kinds.refresh_card(session, self.clock, issue)
            return Changed(a, f"{a.key} and {b.key} are linked; both cards show it.")
