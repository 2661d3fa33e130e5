"""Alerts in: one open group (and issue) per fingerprint, thresholds, repeats, resolves.

A request's alerts are stored in one transaction, so a bad one leaves nothing
half-written. The partial unique index on open groups makes two concurrent
first alerts of a fingerprint open one group; the loser retries and joins it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.clock import Clock
from bot.detection.alerts import Alert
from bot.detection.config import AlertRoute, DetectionConfig
from bot.domain import Severity, Status
from bot.playbooks.loader import Playbooks
from bot.services import effects
from bot.services.issues import add_event, insert_issue
from bot.services.lifecycle import Lifecycle
from bot.services.report_form import IssueDraft
from bot.services.sla import SlaClocks
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


class Intake:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: DetectionConfig,
        playbooks: Playbooks,
        sla: SlaClocks,
        lifecycle: Lifecycle,
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.playbooks = playbooks
        self.sla = sla
        self.lifecycle = lifecycle

    def ingest(self, alerts: list[Alert]) -> list[Outcome]:
        for attempt in (1, 2):
            try:
                with self.db.session() as session:
                    return [self._one(session, alert) for alert in alerts]
            except IntegrityError:
                if attempt == 2:
                    raise
                # Another replica opened the same fingerprint's group first: join it.
        raise AssertionError("unreachable")

    def _open_group(
        self, session: Session, alert: Alert, route: AlertRoute, now: datetime
    ) -> AlertGroup | None:
        stmt = select(AlertGroup).where(
            AlertGroup.fingerprint == alert.fingerprint, col(AlertGroup.is_open).is_(True)
        )
        if self.db.is_postgres:
            stmt = stmt.with_for_update()
        group = session.exec(stmt).first()
        if group is None:
            return None
        issue = session.get(Issue, group.issue_id) if group.issue_id else None
        stale = now - group.last_seen > route.dedup_window
        if stale or (issue is not None and issue.status == Status.CLOSED):
            group.is_open = False  # a new occurrence starts a new group and issue
            session.add(group)
            session.flush()
            return None
        return group

    def _one(self, session: Session, alert: Alert) -> Outcome:
        now = self.clock.now()
        route = self.config.route_for(alert.source, alert.labels)
        group = self._open_group(session, alert, route, now)
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
        assert group.id is not None
        session.add(AlertEvent(group_id=group.id, status=alert.status, received_at=now))
        previous_seen, group.last_seen = group.last_seen, now
        was_resolved = group.status == "resolved"
        group.status, group.title = alert.status, alert.title
        issue = session.get(Issue, group.issue_id) if group.issue_id else None
        if alert.status == "resolved":
            return self._resolved(session, group, issue, route, alert, now)
        group.occurrences += 1
        session.add(group)
        if issue is None:
            if self._firing_count(session, group, route, now) < route.threshold.count:
                return Outcome(alert.fingerprint, "below_threshold")
            issue = self._open_issue(session, group, route, alert)
            return Outcome(alert.fingerprint, "opened", issue.key)
        issue.occurrences += 1
        session.add(issue)
        if now - previous_seen >= REPEAT_EVENT_GAP or was_resolved:
            add_event(
                session,
                issue,
                "alert_repeat",
                self.clock,
                None,
                title=alert.title,
                occurrences=group.occurrences,
            )
        effects.refresh_card_later(session, self.clock, issue, CARD_EDIT_GAP)
        return Outcome(alert.fingerprint, "repeat", issue.key)

    def _firing_count(
        self, session: Session, group: AlertGroup, route: AlertRoute, now: datetime
    ) -> int:
        since = now - route.threshold.within
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
        issue = insert_issue(
            session,
            self.clock,
            draft,
            f"alert-group:{group.id}",
            self.playbooks.choose(draft.type, draft.severity),
            self.sla,
            escalation_policy=route.escalation_policy,
            deploy_window=self.config.deploy_window,
        )
        issue.occurrences = group.occurrences
        group.issue_id = issue.id
        session.add_all([issue, group])
        add_event(
            session,
            issue,
            "alert_opened",
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
        add_event(session, issue, "alert_resolved", self.clock, None, title=alert.title)
        effects.announce(
            session,
            self.clock,
            issue,
            f":white_check_mark: The alert “{alert.title}” of {issue.key} resolved.",
        )
        if route.resolve_fixes:
            self.lifecycle.fix_from_alert(session, issue, alert.title)
        effects.refresh_card_later(session, self.clock, issue, timedelta(0))
        return Outcome(alert.fingerprint, "resolved", issue.key)
