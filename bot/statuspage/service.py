"""Publishing to the status page: one update a responder writes for customers, stored
with Statuspage's word for the issue's status, recorded on the timeline and told in the
issue's channel. Every public surface reads what this writes (board.py)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlmodel import Session, select

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.delivery import enqueue
from bot.core.errors import FirebellError
from bot.core.membership import roles_of
from bot.core.people import Actor
from bot.core.timeline import add_event
from bot.incidents.lifecycle import UPDATE_MAX, editing
from bot.incidents.rules import can_steer
from bot.statuspage.config import StatusPageConfig
from bot.statuspage.event_kinds import StatusPageEvent
from bot.statuspage.kinds import PublishedNotice
from bot.statuspage.words import SHOWN, incident_status, is_resolved
from storage.db import Database
from storage.models import Issue, StatusPost

NOT_SET_UP = (
    "The status page is not set up: add a `status_page` section (title and components) "
    "to firebell.yml."
)


# A person, channel or user group as Slack writes them in a command's text (<@U123|sam>):
# on a public page they would show a Slack id and a name, so such text is refused.
SLACK_MENTION = re.compile(r"<(?:@[UW]|#C|!subteam\^S)[A-Z0-9]+(?:\|[^>]*)?>")


@dataclass(frozen=True)
class Published:
    """What publishing did, in words for the person who asked."""

    issue: Issue
    message: str


def may_publish(session: Session, issue: Issue, actor: Actor) -> bool:
    """Those who steer the issue (commander, assignee, an admin) and its comms lead: what
    customers read is theirs to say."""
    return can_steer(issue, actor) or "comms" in roles_of(session, issue).get(actor.user_id, [])


def was_published(session: Session, issue: Issue) -> bool:
    found = select(StatusPost.id).where(StatusPost.issue_id == issue.id).limit(1)
    return session.exec(found).first() is not None


def words_for_customers(text: str) -> str:
    """The text to publish, or why it cannot be."""
    text = text.strip()
    if not text:
        raise FirebellError("Write what customers should read: `/incident status publish <text>`.")
    if SLACK_MENTION.search(text):
        raise FirebellError(
            "Customers read this on a public page: write it without @mentions of "
            "people or groups and without #channels."
        )
    if len(text) > UPDATE_MAX:
        raise FirebellError(
            f"Keep a status page update to {UPDATE_MAX} characters (this is {len(text)})."
        )
    return text


class StatusPage:
    def __init__(self, db: Database, clock: Clock, config: StatusPageConfig | None) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def check(self, session: Session, issue: Issue, actor: Actor) -> None:
        """Refuse what may never reach the status page, before anything is written."""
        if self.config is None:
            raise FirebellError(NOT_SET_UP)
        if issue.private:
            raise FirebellError(
                f"{issue.key} is private: private issues never go on the public status page."
            )
        if not may_publish(session, issue, actor):
            raise FirebellError(
                f"Only the commander, the assignee, the comms lead or an admin can publish "
                f"{issue.key} to the status page."
            )
        # A closed issue may get a last word (a resolution note) once it is on the page;
        # putting a finished incident there for the first time would only alarm.
        if is_resolved(issue) and not was_published(session, issue):
            raise FirebellError(
                f"{issue.key} is closed and was never on the status page, so it is not "
                f"published now."
            )

    def may(self, issue_id: int, actor: Actor, text: str) -> None:
        """The same refusals, on their own (the update form asks before it posts)."""
        words_for_customers(text)
        with editing(self.db, issue_id) as (session, issue):
            self.check(session, issue, actor)

    def publish(self, issue_id: int, actor: Actor, text: str) -> Published:
        text = words_for_customers(text)
        now = self.clock.now()
        with editing(self.db, issue_id) as (session, issue):
            self.check(session, issue, actor)
            status = incident_status(issue)
            post = StatusPost(
                issue_id=issue.id or 0,
                body=text,
                status=status.value,
                posted_by=actor.user_id,
                posted_at=now,
            )
            session.add(post)
            session.flush()
            add_event(
                session,
                issue,
                StatusPageEvent.PUBLISHED,
                self.clock,
                actor.user_id,
                text=text,
                status=status.value,
            )
            enqueue(session, self.clock, PublishedNotice(post.id or 0), issue=issue)
            return Published(
                issue,
                f"Published to the status page as {SHOWN[status]}: {issue.key} is on it "
                f"{self._where(issue)}.",
            )

    def _where(self, issue: Issue) -> str:
        """Under which components it shows, or why it shows under none."""
        assert self.config is not None
        names = [c.name for c in self.config.components if c.covers(issue.service)]
        if names:
            return "under " + escape(", ".join(names))
        if not issue.service:
            return "with no component (it names no service)"
        return f"with no component (none lists the service {escape(issue.service)})"
