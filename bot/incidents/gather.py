"""The facts an issue is told from (a review draft, a catch-up): fields, SLA figures,
answers, the timeline."""

from __future__ import annotations

from sqlmodel import Session, col, select

from bot.core.ai.prompt import KEEP_KINDS, Facts, Line
from bot.core.blocks import clip
from bot.core.membership import roles_of
from bot.core.reporters import reporter_text
from bot.core.timeline import actor_name, event_words
from bot.incidents.issue_figures import SPANS
from bot.incidents.queries import step_states
from storage.models import Issue, SlaClock, TimelineEvent


def gather_facts(session: Session, issue: Issue, chatter: list[Line]) -> Facts:
    assert issue.id is not None
    roles = roles_of(session, issue)
    breaches = [
        c.kind
        for c in session.exec(
            select(SlaClock).where(
                SlaClock.issue_id == issue.id, col(SlaClock.breached_at).is_not(None)
            )
        )
    ]
    # The same spans, in the same words, as /incident stats (incidents/issue_figures.py).
    sla = {span.name: text for span in SPANS if (text := span.text(issue)) is not None}
    sla["breaches"] = ", ".join(breaches) or "none"
    answers = {s.step_id: s.answer for s in step_states(session, issue.id).values() if s.answer}
    events = session.exec(
        select(TimelineEvent)
        .where(TimelineEvent.issue_id == issue.id)
        .order_by(col(TimelineEvent.at), col(TimelineEvent.id))
    )
    lines = [
        Line(
            e.at,
            actor_name(e) or "firebell",
            clip(event_words(e, mrkdwn=False), 600),
            e.kind in KEEP_KINDS,
            e.kind,
        )
        for e in events
    ]
    return Facts(
        issue={
            "key": issue.key,
            "title": issue.title,
            "type": issue.type,
            "severity": issue.severity,
            "priority": issue.priority,
            "service": issue.service,
            "status": issue.status,
            "environment": (issue.environment or "")[:1000],
            "description": (issue.description or "")[:2000],
            "users_affected": issue.users_affected,
            "reporter": reporter_text(issue.reporter_id),
            "commander": f"<@{issue.commander_id}>" if issue.commander_id else None,
            "assignee": f"<@{issue.assignee_id}>" if issue.assignee_id else None,
            "created_at": f"{issue.created_at:%Y-%m-%d %H:%M} UTC",
            "source": issue.source_permalink,
        },
        sla=sla,
        answers=answers,
        participants={user: ", ".join(r) for user, r in roles.items()},
        lines=[*lines, *chatter],
    )
