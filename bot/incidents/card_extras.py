"""What the card needs beyond the issue: recent deploys, trace-link templates and who
helps (comms, scribe)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import col, select

from bot.core.durations import format_duration
from bot.incidents.card import CardExtras
from bot.incidents.queries import recent_deploys
from storage.db import Database
from storage.models import Issue, Participant


@dataclass(frozen=True)
class CardSettings:
    """From firebell.yml (the detection section), handed down by create_app."""

    deploy_window: timedelta = timedelta(hours=2)
    trace_links: dict[str, str] = field(default_factory=dict)


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
    return CardExtras(
        deploys=deploys,
        deploy_window=format_duration(settings.deploy_window),
        trace_links=dict(settings.trace_links),
        helpers=helpers,
    )
