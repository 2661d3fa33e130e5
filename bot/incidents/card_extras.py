"""What the card needs beyond the issue: recent deploys, trace-link templates and who
helps (comms, scribe)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select

from bot.core.durations import format_duration
from bot.incidents.card import CardExtras
from bot.incidents.queries import recent_deploys
from bot.incidents.reporters import reporters
from storage.db import Database
from storage.models import DuplicateSuggestion, Issue, IssueLink, Participant

# Where an issue is tracked outside Firebell (its Jira issue, …): (name, URL) pairs. The
# slices above incidents hand theirs to create_app, so the card shows them without
# incidents knowing those tools.
OutsideLinks = Callable[[Session, Issue], list[tuple[str, str]]]


@dataclass(frozen=True)
class CardSettings:
    """From firebell.yml (the detection section), handed down by create_app."""

    deploy_window: timedelta = timedelta(hours=2)
    trace_links: dict[str, str] = field(default_factory=dict)
    web_base: str | None = None  # FIREBELL_BASE_URL: the card links to the issue's page
    outside: tuple[OutsideLinks, ...] = ()


def web_link(settings: CardSettings, issue: Issue) -> str | None:
    """The issue's page in the web app, when FIREBELL_BASE_URL is set (card and DMs)."""
    return f"{settings.web_base}/issues/{issue.key}" if settings.web_base else None


def review_link(settings: CardSettings, issue: Issue) -> str | None:
    """Its post-incident review's page in the web app (bot/web/review_pages.py)."""
    page = web_link(settings, issue)
    return f"{page}/review" if page else None


HELPER_ROLES = ("comms", "scribe")  # the leads (commander, assignee) are on the issue row


def card_extras(db: Database, settings: CardSettings, issue: Issue) -> CardExtras:
    with db.session() as session:
        deploys = (
            recent_deploys(session, issue.service, issue.created_at, settings.deploy_window)
            if issue.service
            else []
        )
        helpers = {
            row.role: row.user_id
            for row in session.exec(
                select(Participant).where(
                    Participant.issue_id == issue.id, col(Participant.role).in_(HELPER_ROLES)
                )
            )
        }
        kin = _kin(session, issue)
        outside = [pair for links in settings.outside for pair in links(session, issue)]
    return CardExtras(
        deploys=deploys,
        deploy_window=format_duration(settings.deploy_window),
        trace_links=dict(settings.trace_links),
        helpers=helpers,
        web_link=web_link(settings, issue),
        outside=outside,
        **kin,
    )


def _kin(session: Session, issue: Issue) -> dict[str, Any]:
    """Suggested duplicates (not yet answered), linked issues, the issue this one was
    merged into, and how many people reported it."""
    # The ids first, then their keys: one query OR-ing three subqueries (and `id IS
    # NULL` when nothing was merged) made SQLite read every issue, 17 ms a card at 100k.
    kin_ids = {
        *session.exec(
            select(DuplicateSuggestion.candidate_id).where(DuplicateSuggestion.issue_id == issue.id)
        ),
        *session.exec(select(IssueLink.second_id).where(IssueLink.first_id == issue.id)),
        *session.exec(select(IssueLink.first_id).where(IssueLink.second_id == issue.id)),
    }
    if issue.merged_into_id is not None:
        kin_ids.add(issue.merged_into_id)
    keys = (
        {i.id: i.key for i in session.exec(select(Issue).where(col(Issue.id).in_(kin_ids)))}
        if kin_ids
        else {}
    )
    suggestions = session.exec(
        select(DuplicateSuggestion)
        .where(DuplicateSuggestion.issue_id == issue.id, DuplicateSuggestion.state == "shown")
        .order_by(col(DuplicateSuggestion.score).desc())
    ).all()
    links = session.exec(
        select(IssueLink).where(
            (IssueLink.first_id == issue.id) | (IssueLink.second_id == issue.id)
        )
    ).all()
    related = sorted(
        {keys[link.second_id if link.first_id == issue.id else link.first_id] for link in links},
        key=lambda key: key.number,
    )
    return {
        "duplicates": [
            (keys[s.candidate_id], list(s.reasons)) for s in suggestions if s.candidate_id in keys
        ],
        "related": related,
        "merged_into": keys.get(issue.merged_into_id) if issue.merged_into_id else None,
        "reporters": max(len(reporters(session, issue)), 1),  # an alert counts as one
    }
