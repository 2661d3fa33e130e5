"""Filing an issue: one transaction stores it, its first timeline events and its outbox."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.core.clock import Clock
from bot.incidents import outbox as effects
from bot.incidents.report_form import IssueDraft
from bot.playbooks.model import Playbook
from bot.sla.clocks import SlaClocks
from storage.db import Database
from storage.keys import next_number
from storage.models import Deploy, Issue, Participant, TimelineEvent


@dataclass(frozen=True)
class FiledIssue:
    issue: Issue
    created: bool  # False when an earlier identical submission already filed it


# The Slack side effects of a new issue, in the order they must happen.
PROVISIONING_STEPS = (
    "create_channel",
    "invite_reporter",
    "post_card",
    "pin_card",
    "post_checklist",
    "dm_reporter",
)


def add_event(
    session: Session,
    issue: Issue,
    kind: str,
    clock: Clock,
    actor_id: str | None = None,
    /,  # positional only, so payload keys may be named "clock" or "kind"
    *,
    dedup_key: str | None = None,
    at: datetime | None = None,
    **payload: object,
) -> TimelineEvent:
    """Record one timeline event; `dedup_key` makes a second identical record fail."""
    assert issue.id is not None
    event = TimelineEvent(
        issue_id=issue.id,
        at=at or clock.now(),
        actor_id=actor_id,
        kind=kind,
        payload={k: v for k, v in payload.items() if v is not None},
        dedup_key=dedup_key,
    )
    session.add(event)
    return event


def file_issue(
    db: Database,
    clock: Clock,
    draft: IssueDraft,
    idempotency_key: str,
    playbook: Playbook,
    sla: SlaClocks | None = None,
) -> FiledIssue:
    """Store a new issue with everything Slack must be told, or find the one already filed."""
    existing = find_by_idempotency_key(db, idempotency_key)
    if existing is not None:
        return FiledIssue(existing, created=False)
    try:
        with db.session() as session:
            issue = insert_issue(session, clock, draft, idempotency_key, playbook, sla)
    except IntegrityError:
        # A concurrent submission with the same key won the race; theirs is ours.
        existing = find_by_idempotency_key(db, idempotency_key)
        if existing is None:
            raise
        return FiledIssue(existing, created=False)
    return FiledIssue(issue, created=True)


def is_person(user_id: str | None) -> bool:
    """Slack user IDs start with U or W; alert-made issues have a source instead."""
    return bool(user_id) and str(user_id)[:1] in {"U", "W"}


def insert_issue(
    session: Session,
    clock: Clock,
    draft: IssueDraft,
    key: str,
    playbook: Playbook,
    sla: SlaClocks | None = None,
    *,
    escalation_policy: str | None = None,
    deploy_window: timedelta | None = None,
) -> Issue:
    """Add an issue, its first timeline events and its Slack work to the caller's transaction."""
    now = clock.now()
    source = draft.source
    issue = Issue(
        number=next_number(session, "issue"),
        idempotency_key=key,
        title=draft.title,
        type=draft.type.value,
        severity=draft.severity.value,
        priority=draft.priority.value if draft.priority else None,
        service=draft.service,
        environment=draft.environment,
        description=draft.description,
        stack_trace=draft.stack_trace,
        trace_id=draft.trace_id,
        users_affected=draft.users_affected,
        # A playbook can make issues private (security): never less private than asked.
        private=draft.private or playbook.private,
        playbook=playbook.name,
        escalation_policy=escalation_policy,
        reporter_id=draft.reporter_id,
        source_channel_id=source.channel_id if source else None,
        source_message_ts=source.message_ts if source else None,
        source_permalink=source.permalink if source else None,
        created_at=now,
    )
    session.add(issue)
    session.flush()
    assert issue.id is not None
    if is_person(draft.reporter_id):
        session.add(
            Participant(issue_id=issue.id, user_id=draft.reporter_id, role="reporter", added_at=now)
        )
    add_event(
        session,
        issue,
        "filed",
        clock,
        draft.reporter_id,
        title=issue.title,
        severity=issue.severity,
        type=issue.type,
        source=source.permalink if source else None,
    )
    add_event(session, issue, "phase_started", clock, draft.reporter_id, phase=issue.phase)
    if sla is not None:
        sla.on_filed(session, issue)
    if issue.service and deploy_window is not None:
        deploys = recent_deploys(session, issue.service, now, deploy_window)
        if deploys:
            add_event(
                session,
                issue,
                "recent_deploys",
                clock,
                None,
                service=issue.service,
                versions=[d.version for d in deploys],
            )
    steps = [
        s
        for s in PROVISIONING_STEPS
        if is_person(draft.reporter_id) or s not in {"invite_reporter", "dm_reporter"}
    ]
    if source is not None:
        steps.append("reply_in_source")
    for kind in steps:
        payload = {"phase": issue.phase} if kind == "post_checklist" else {}
        effects.enqueue(session, clock, issue, kind, **payload)
    return issue


def recent_deploys(
    session: Session, service: str, before: datetime, window: timedelta
) -> list[Deploy]:
    """Deploys to a service in the window before a moment, newest first."""
    return list(
        session.exec(
            select(Deploy)
            .where(
                Deploy.service == service,
                col(Deploy.deployed_at) <= before,
                col(Deploy.deployed_at) >= before - window,
            )
            .order_by(col(Deploy.deployed_at).desc())
        )
    )


def find_by_idempotency_key(db: Database, key: str) -> Issue | None:
    with db.session() as session:
        return session.exec(select(Issue).where(Issue.idempotency_key == key)).first()


def get_issue(db: Database, issue_id: int) -> Issue:
    with db.session() as session:
        issue = session.get(Issue, issue_id)
        if issue is None:
            raise LookupError(f"issue {issue_id} does not exist")
        return issue


def list_timeline(db: Database, issue_id: int) -> list[TimelineEvent]:
    with db.session() as session:
        stmt = (
            select(TimelineEvent)
            .where(TimelineEvent.issue_id == issue_id)
            .order_by(TimelineEvent.at, TimelineEvent.id)  # type: ignore[arg-type]
        )
        return list(session.exec(stmt))
