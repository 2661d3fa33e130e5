"""Alerts in: one open group (and issue) per fingerprint, thresholds, repeats, resolves.

A request's alerts are stored in one transaction, so a bad one leaves nothing
half-written. The partial unique index on open groups makes two concurrent
first alerts of a fingerprint open one group; the loser retries and joins it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.core.clock import Clock
from bot.core.domain import Severity, Status
from bot.core.observations import ALERT_RECEIVED, note
from bot.core.timeline import add_event
from bot.detection import kinds
from bot.detection.alerts import Alert
from bot.detection.config import AlertRoute, DetectionConfig
from bot.detection.event_kinds import DetectionEvent
from bot.incidents import kinds as incident_kinds
from bot.incidents.drafts import IssueDraft
from bot.incidents.filing import Filing
from bot.incidents.hooks import IssueHooks
from bot.incidents.lifecycle import Lifecycle
from storage.db import Database
from storage.models import AlertEvent, AlertGroup, Issue

REPEAT_EVENT_GAP = timedelta(minutes=1)  # repeats add a timeline line at most this often
CARD_EDIT_GAP = timedelta(seconds=3)  # in a storm the card is edited at most this often


@dataclass(frozen=True)
class Outcome:
    fingerprint: str
    action: str  # opened | repeat | below_threshold | resolved | resolved_unknown
    issue: str | None = None

    def as_json(self) -> dict[str, str | None]:
        return {"fingerprint": self.fingerprint, "action": self.action, "issue": self.issue}


@dataclass
class Batch:
    """What one transaction already looked up: open groups, card edits already waiting."""

    groups: dict[str, AlertGroup | None] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    # Alert rows, inserted together (one Core INSERT) before counts and at commit.
    events: list[dict[str, object]] = field(default_factory=list)

    def flush_events(self, session: Session) -> None:
        if self.events:
            session.execute(insert(AlertEvent), self.events)
            self.events = []


class Intake:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: DetectionConfig,
        filing: Filing,
        lifecycle: Lifecycle,
        hooks: IssueHooks,
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.filing = filing
        self.lifecycle = lifecycle
        self.hooks = hooks  # the SLA slice's, for routes that page on open
        self._card_due: dict[int, datetime] = {}

    def ingest(self, alerts: list[Alert]) -> list[Outcome]:
        """One request's alerts, in one transaction."""
        return self.ingest_batch([alerts])[0]

    def ingest_batch(self, requests: list[list[Alert]]) -> list[list[Outcome]]:
        """Several requests in one transaction (group commit); all stored or none."""
        for attempt in (1, 2):
            try:
                with self.db.session() as session, session.no_autoflush:
                    # No autoflush: a batch's alert rows are inserted together at commit.
                    batch = Batch()
                    outcomes = [
                        [self._one(session, alert, batch) for alert in alerts]
                        for alerts in requests
                    ]
                    batch.flush_events(session)
                    return outcomes
            except IntegrityError:
                if attempt == 2:
                    raise
                # Another replica opened the same fingerprint's group first: join it.
        raise AssertionError("unreachable")

    def _open_group(
        self, session: Session, alert: Alert, route: AlertRoute, now: datetime, batch: Batch
    ) -> AlertGroup | None:
        if alert.fingerprint in batch.groups:
            group = batch.groups[alert.fingerprint]
            if group is not None and now - group.last_seen <= route.dedup_window:
                return group
        stmt = select(AlertGroup).where(
            AlertGroup.fingerprint == alert.fingerprint, col(AlertGroup.is_open).is_(True)
        )
        if self.db.is_postgres:
            stmt = stmt.with_for_update()
        group = session.exec(stmt).first()
        if group is None:
            return None
        issue = self._issue(session, group.issue_id, batch)
        stale = now - group.last_seen > route.dedup_window
        if stale or (issue is not None and issue.status == Status.CLOSED):
            group.is_open = False  # a new occurrence starts a new group and issue
            session.add(group)
            session.flush()
            return None
        return group

    def _one(self, session: Session, alert: Alert, batch: Batch) -> Outcome:
        now = self.clock.now()
        route = self.config.route_for(alert.source, alert.labels)
        group = self._open_group(session, alert, route, now, batch)
        if group is None:
            if alert.status == "resolved":
                return Outcome(alert.fingerprint, "resolved_unknown")
            group = AlertGroup(
                fingerprint=alert.fingerprint,
                source=alert.source,
                route=route.name,
                title=alert.title,
                labels=alert.labels,
                links=alert.links,
                first_seen=now,
                last_seen=now,
            )
            session.add(group)
            session.flush()  # the unique index speaks here
        batch.groups[alert.fingerprint] = group
        assert group.id is not None
        batch.events.append({"group_id": group.id, "status": alert.status, "received_at": now})
        note(session, ALERT_RECEIVED, alert.source, alert.status)
        previous_seen, group.last_seen = group.last_seen, now
        was_resolved = group.status == "resolved"
        # Only changed fields are set: in a storm, ORM attribute sets are the main cost.
        if group.status != alert.status:
            group.status = alert.status
        if group.title != alert.title:
            group.title = alert.title
        issue = session.get(Issue, group.issue_id) if group.issue_id else None
        if alert.status == "resolved":
            return self._resolved(session, group, issue, route, alert, now)
        group.occurrences += 1
        if issue is None:
            if self._firing_count(session, group, route, now, batch) < route.threshold.count:
                return Outcome(alert.fingerprint, "below_threshold")
            issue = self._open_issue(session, group, route, alert)
            return Outcome(alert.fingerprint, "opened", issue.key)
        issue.occurrences += 1
        if now - previous_seen >= REPEAT_EVENT_GAP or was_resolved:
            add_event(
                session,
                issue,
                DetectionEvent.ALERT_REPEAT,
                self.clock,
                None,
                title=alert.title,
                occurrences=group.occurrences,
            )
        self._refresh_card(session, issue, now)
        return Outcome(alert.fingerprint, "repeat", issue.key)

    def _issue(self, session: Session, issue_id: int | None, batch: Batch) -> Issue | None:
        if issue_id is None:
            return None
        if issue_id not in batch.issues:
            found = session.get(Issue, issue_id)
            assert found is not None
            batch.issues[issue_id] = found
        return batch.issues[issue_id]

    def _refresh_card(self, session: Session, issue: Issue, now: datetime) -> None:
        """At most one card edit per CARD_EDIT_GAP, known here without asking the database
        (another replica may add an edit of its own, which is harmless)."""
        assert issue.id is not None
        if self._card_due.get(issue.id, now) > now:
            return
        incident_kinds.refresh_card_later(session, self.clock, issue, CARD_EDIT_GAP)
        self._card_due[issue.id] = now + CARD_EDIT_GAP

    def _firing_count(
        self, session: Session, group: AlertGroup, route: AlertRoute, now: datetime, batch: Batch
    ) -> int:
        since = now - route.threshold.within
        batch.flush_events(session)  # count this batch's alerts too
        session.flush()
        return int(
            session.exec(
                select(func.count())
                .select_from(AlertEvent)
                .where(
                    AlertEvent.group_id == group.id,
                    AlertEvent.status == "firing",
                    col(AlertEvent.received_at) >= since,
                )
            ).one()
        )

    def _open_issue(
        self, session: Session, group: AlertGroup, route: AlertRoute, alert: Alert
    ) -> Issue:
        severity = route.severity or alert.severity or Severity.MAJOR
        links = "\n".join(f"{name}: {url}" for name, url in alert.links.items() if url)
        labels = ", ".join(f"{k}={v}" for k, v in sorted(alert.labels.items()))
        description = "\n\n".join(
            p for p in (alert.description, links, f"Labels: {labels}" if labels else "") if p
        )
        draft = IssueDraft(
            title=alert.title[:150],
            type=route.type,
            severity=severity,
            reporter_id=f"{alert.source}"[:32],
            service=(route.service or alert.service),
            description=description[:3000] or None,
            trace_id=alert.labels.get("trace_id"),
        )
        issue = self.filing.add(
            session, draft, f"alert-group:{group.id}", escalation_policy=route.escalation_policy
        )
        issue.occurrences = group.occurrences
        group.issue_id = issue.id
        session.add_all([issue, group])
        if route.start == "on_open":  # the policy may already have started it: once
            self.hooks.start_escalation_on_open(session, issue)
        add_event(
            session,
            issue,
            DetectionEvent.ALERT_OPENED,
            self.clock,
            None,
            source=alert.source,
            fingerprint=alert.fingerprint,
            route=route.name,
            occurrences=group.occurrences,
        )
        return issue

    def _resolved(
        self,
        session: Session,
        group: AlertGroup,
        issue: Issue | None,
        route: AlertRoute,
        alert: Alert,
        now: datetime,
    ) -> Outcome:
        group.resolved_at = now
        session.add(group)
        if issue is None:
            return Outcome(alert.fingerprint, "resolved")
        event = add_event(
            session, issue, DetectionEvent.ALERT_RESOLVED, self.clock, None, title=alert.title
        )
        kinds.notice(session, self.clock, issue, event)
        if route.resolve_fixes:
            self.lifecycle.fix_automatically(session, issue, f"The alert “{alert.title}” resolved.")
        incident_kinds.refresh_card_later(session, self.clock, issue, timedelta(0))
        return Outcome(alert.fingerprint, "resolved", issue.key)
