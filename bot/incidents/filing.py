"""Filing: the one way an issue comes to be, from every source.

The report modal, both shortcuts and alert intake (and later the web form and
support tools) all file through `Filing`. One transaction stores the issue,
its first timeline events, its SLA clocks (through the hooks), the deploys
that shortly preceded it, and the Slack work that provisions it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.delivery import Payload
from bot.core.reporters import is_person
from bot.core.timeline import add_event
from bot.incidents import kinds
from bot.incidents.attachments import add_attachments
from bot.incidents.drafts import IssueDraft
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.hooks import IssueHooks
from bot.incidents.queries import recent_deploys
from bot.incidents.reporters import add_reporter
from bot.playbooks.loader import Playbooks
from storage.db import Database
from storage.keys import next_number
from storage.models import Issue


@dataclass(frozen=True)
class FiledIssue:
    issue: Issue
    created: bool  # False when an earlier identical submission already filed it


class Filing:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        playbooks: Playbooks,
        hooks: IssueHooks,
        deploy_window: timedelta,
        unmeasured_types: frozenset[str] = frozenset(),
    ) -> None:
        self.db = db
        self.clock = clock
        self.playbooks = playbooks
        self.hooks = hooks
        self.deploy_window = deploy_window
        # Types whose issues are drills or tests (`types: {<type>: {exclude_from_metrics}}`).
        self.unmeasured_types = unmeasured_types

    def file(self, draft: IssueDraft, idempotency_key: str) -> FiledIssue:
        """Store a new issue, or find the one an identical earlier submission filed."""
        existing = self.find(idempotency_key)
        if existing is not None:
            return FiledIssue(existing, created=False)
        try:
            with self.db.session() as session:
                issue = self.add(session, draft, idempotency_key)
        except IntegrityError:
            # A concurrent submission with the same key won the race; theirs is ours.
            existing = self.find(idempotency_key)
            if existing is None:
                raise
            return FiledIssue(existing, created=False)
        return FiledIssue(issue, created=True)

    def find(self, idempotency_key: str) -> Issue | None:
        with self.db.session() as session:
            return session.exec(
                select(Issue).where(Issue.idempotency_key == idempotency_key)
            ).first()

    def add(
        self,
        session: Session,
        draft: IssueDraft,
        key: str,
        *,
        escalation_policy: str | None = None,
    ) -> Issue:
        """Add an issue and everything that follows from it to the caller's transaction."""
        now = self.clock.now()
        playbook = self.playbooks.choose(draft.type, draft.severity)
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
            context=draft.context,
            created_at=now,
            exclude_from_metrics=playbook.exclude_from_metrics
            or draft.type in self.unmeasured_types,
        )
        session.add(issue)
        session.flush()
        assert issue.id is not None
        by_person = is_person(draft.reporter_id)
        if by_person:
            add_reporter(session, issue, draft.reporter_id, now)
        reporter = draft.reporter_id
        add_event(
            session,
            issue,
            IncidentEvent.FILED,
            self.clock,
            reporter,
            title=issue.title,
            severity=issue.severity,
            type=issue.type,
            source=source.permalink if source else None,
        )
        add_event(
            session, issue, IncidentEvent.PHASE_STARTED, self.clock, reporter, phase=issue.phase
        )
        self.hooks.on_filed(session, issue)
        self._correlate_deploys(session, issue)
        self._provision(session, issue, by_person)
        # After the card: the files follow it into the new channel.
        add_attachments(session, self.clock, issue, draft.attachments, reporter)
        self.hooks.on_provisioned(session, issue)
        return issue

    def _correlate_deploys(self, session: Session, issue: Issue) -> None:
        if not issue.service:
            return
        deploys = recent_deploys(session, issue.service, issue.created_at, self.deploy_window)
        if deploys:
            add_event(
                session,
                issue,
                IncidentEvent.RECENT_DEPLOYS,
                self.clock,
                None,
                service=issue.service,
                versions=[d.version for d in deploys],
            )

    def _provision(self, session: Session, issue: Issue, by_person: bool) -> None:
        """The Slack side effects of a new issue, in the order they must happen."""
        steps: list[Payload] = [kinds.CreateChannel()]
        if by_person:
            steps.append(kinds.InviteReporter())
        steps += [kinds.PostCard(), kinds.PinCard(), kinds.PostChecklist(issue.phase)]
        if by_person:
            steps.append(kinds.DmReporter())
        if issue.source_channel_id is not None:
            steps.append(kinds.ReplyInSource())
        for payload in steps:
            kinds.send(session, self.clock, issue, payload)
