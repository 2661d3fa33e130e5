"""Alerts in: one open group (and issue) per fingerprint, thresholds, repeats, resolves.

A request's alerts are stored in one transaction, so a bad one leaves nothing
half-written; a huge request (over intake_batch.CHUNK alerts) is stored in chunks of
that size, each a transaction of its own (see `store`), so a failure past its first
chunk leaves the chunks before it stored and answers 500 (a sender's retry counts
those alerts again, as repeats). The partial unique index on open groups makes two
concurrent first alerts of a fingerprint open one group; the loser retries and joins it.

The hot path (a storm: the same fingerprints firing again and again) loads no ORM
objects: one Core SELECT reads the chunk's open groups with their issues (locked on
PostgreSQL), the repeats are counted in memory, and one UPDATE per fingerprint
(`occurrences = occurrences + :n`) and one per issue write them at the end. Nothing
about groups is remembered between transactions: another replica may close or open
groups at any time, and the database is asked once a chunk. Anything else (a new
fingerprint, a threshold, a resolve, a stale group, a closed issue) takes the full
path through the ORM, after the fingerprint's counts so far are written.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from bot.core.clock import Clock
from bot.core.domain import Severity, Status
from bot.core.observations import ALERT_RECEIVED, note
from bot.core.timeline import add_event
from bot.detection import intake_batch, kinds
from bot.detection.alerts import Alert
from bot.detection.config import AlertRoute, DetectionConfig
from bot.detection.event_kinds import DetectionEvent
from bot.detection.intake_batch import Batch, Open, Piece, chunks, read_open, write_open
from bot.incidents import kinds as incident_kinds
from bot.incidents.drafts import IssueDraft
from bot.incidents.filing import Filing
from bot.incidents.hooks import IssueHooks
from bot.incidents.lifecycle import Lifecycle
from storage.db import Database
from storage.models import AlertEvent, AlertGroup, Issue

log = logging.getLogger(__name__)

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

    def store(self, requests: list[list[Alert]]) -> list[list[Outcome] | Exception]:
        """Requests that arrived together (group commit), in short transactions: small
        requests share one, up to CHUNK alerts, and a transaction commits once it has
        worked BUDGET_SECONDS at the next point it may (between requests, or inside a
        request of over CHUNK alerts). Synchronous: the webhook runs it in the
        database's threads (storage/db.py). If a transaction fails, its requests are
        stored one by one, so one request's failure never takes others with it; the
        failing one's error is its result."""
        results: list[list[Outcome] | Exception] = [[] for _ in requests]
        queue = deque(chunks(requests))
        while queue:
            chunk = queue.popleft()
            try:
                done, rest = self._ingest_until(
                    chunk, time.monotonic() + intake_batch.BUDGET_SECONDS
                )
            except Exception as exc:
                done, rest = self._one_by_one(chunk, exc, results), []
            if rest:
                queue.appendleft(rest)
                if not self.db.is_postgres:
                    # A pause as long as the transaction: SQLite's writers elsewhere (the
                    # loop's) back off while they wait, and would miss an instant's gap.
                    time.sleep(intake_batch.BUDGET_SECONDS)
            for owner, outcomes in done:
                so_far = results[owner]
                if isinstance(so_far, list):
                    so_far.extend(outcomes)
        return results

    def _one_by_one(
        self, chunk: list[Piece], exc: Exception, results: list[list[Outcome] | Exception]
    ) -> list[tuple[int, list[Outcome]]]:
        if len(chunk) == 1:
            results[chunk[0][0]] = exc
            return []
        log.warning(
            "a batch of %s webhook requests failed; storing them one by one",
            len(chunk),
            exc_info=exc,
        )
        done = []
        for owner, alerts, _ in chunk:
            try:
                done.append((owner, self.ingest(alerts)))
            except Exception as one_exc:
                results[owner] = one_exc
        return done

    def ingest_batch(self, requests: list[list[Alert]]) -> list[list[Outcome]]:
        """Several requests in one transaction (group commit); all stored or none."""
        chunk = [(owner, alerts, False) for owner, alerts in enumerate(requests)]
        done, rest = self._ingest_until(chunk, None)
        assert not rest
        return [outcomes for _, outcomes in done]

    def _ingest_until(
        self, chunk: list[Piece], deadline: float | None
    ) -> tuple[list[tuple[int, list[Outcome]]], list[Piece]]:
        """One transaction: the chunk's alerts in order until the deadline passes at a
        point it may stop; what was stored, and the rest."""
        for attempt in (1, 2):
            try:
                with self.db.session() as session, session.no_autoflush:
                    # No autoflush: a batch's alert rows are inserted together at commit.
                    batch = Batch()
                    read_open(session, self.db.is_postgres, [p[1] for p in chunk], batch)
                    done: list[tuple[int, list[Outcome]]] = []
                    rest: list[Piece] = []
                    for index, (owner, alerts, splittable) in enumerate(chunk):
                        outcomes = []
                        for position, alert in enumerate(alerts):
                            outcomes.append(self._one(session, alert, batch))
                            late = deadline is not None and time.monotonic() > deadline
                            if late and splittable and position + 1 < len(alerts):
                                rest = [(owner, alerts[position + 1 :], True)]
                                break
                        done.append((owner, outcomes))
                        late = deadline is not None and time.monotonic() > deadline
                        if rest or (late and index + 1 < len(chunk)):
                            rest += chunk[index + 1 :]
                            break
                    write_open(session, batch)
                    batch.flush_events(session)
                    for (source, status), count in batch.received.items():
                        note(session, ALERT_RECEIVED, source, status, value=count)
                    return done, rest
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
        if alert.fingerprint in batch.absent:
            return None
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
        key = (alert.source, alert.status)
        batch.received[key] = batch.received.get(key, 0) + 1
        known = batch.open.get(alert.fingerprint)
        if (
            known is not None
            and alert.status == "firing"
            and now - known.last_seen <= route.dedup_window
        ):
            return self._repeat(session, alert, known, now, batch)
        # The full path: write what the hot path counted for this fingerprint first, and
        # let the ORM read its group and issue afresh.
        write_open(session, batch, only=alert.fingerprint)
        for obj in list(session.identity_map.values()):
            if isinstance(obj, AlertGroup | Issue) and obj in session:
                if (isinstance(obj, AlertGroup) and obj.fingerprint == alert.fingerprint) or (
                    known is not None and isinstance(obj, Issue) and obj.id == known.issue_id
                ):
                    session.expire(obj)
        batch.groups.pop(alert.fingerprint, None)
        outcome = self._full(session, alert, route, now, batch)
        session.flush()
        group = batch.groups.get(alert.fingerprint)
        issue = batch.issues.get(group.issue_id) if group and group.issue_id else None
        if issue is None and group is not None and group.issue_id is not None:
            issue = session.get(Issue, group.issue_id)
        if (
            group is not None
            and group.is_open
            and issue is not None
            and issue.status != Status.CLOSED
        ):
            assert group.id is not None and issue.id is not None
            batch.open[alert.fingerprint] = Open(
                group_id=group.id,
                issue_id=issue.id,
                issue_key=issue.key,
                status=group.status,
                title=group.title,
                last_seen=group.last_seen,
                occurrences=group.occurrences,
            )
        else:
            batch.open[alert.fingerprint] = None
        # What the ORM holds for this fingerprint is written; read it afresh if needed.
        for obj in (group, issue):
            if obj is not None and obj in session:
                session.expire(obj)
        batch.groups.pop(alert.fingerprint, None)
        batch.issues.clear()
        return outcome

    def _repeat(
        self, session: Session, alert: Alert, known: Open, now: datetime, batch: Batch
    ) -> Outcome:
        """The hot path: a firing repeat of an open group whose issue is live."""
        batch.events.append(
            {"group_id": known.group_id, "status": alert.status, "received_at": now}
        )
        previous_seen, known.last_seen = known.last_seen, now
        was_resolved = known.status == "resolved"
        known.status, known.title = alert.status, alert.title
        known.changed = True
        known.occurrences += 1
        known.added += 1
        if now - previous_seen >= REPEAT_EVENT_GAP or was_resolved:
            issue = session.get(Issue, known.issue_id)
            assert issue is not None
            self._note_repeat(session, issue, alert, known.occurrences)
        if self._card_due.get(known.issue_id, now) <= now:
            issue = session.get(Issue, known.issue_id)
            assert issue is not None
            self._refresh_card(session, issue, now)
        return Outcome(alert.fingerprint, "repeat", known.issue_key)

    def _full(
        self, session: Session, alert: Alert, route: AlertRoute, now: datetime, batch: Batch
    ) -> Outcome:
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
            assert group.id is not None
            batch.absent.discard(alert.fingerprint)
            batch.created.add(group.id)
        batch.groups[alert.fingerprint] = group
        assert group.id is not None
        batch.events.append({"group_id": group.id, "status": alert.status, "received_at": now})
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
            self._note_repeat(session, issue, alert, group.occurrences)
        self._refresh_card(session, issue, now)
        return Outcome(alert.fingerprint, "repeat", issue.key)

    def _note_repeat(self, session: Session, issue: Issue, alert: Alert, occurrences: int) -> None:
        """A repeat on the timeline: after a quiet gap, or after the alert had resolved."""
        add_event(
            session,
            issue,
            DetectionEvent.ALERT_REPEAT,
            self.clock,
            None,
            title=alert.title,
            occurrences=occurrences,
        )

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
        if group.id in batch.created:  # opened in this transaction: its alerts are all here
            mine = [e for e in batch.events if e["group_id"] == group.id]
            return len(
                [
                    e
                    for e in mine
                    if e["status"] == "firing" and since <= cast(datetime, e["received_at"])
                ]
            )
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
