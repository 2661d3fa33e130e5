"""The intake's transaction state and its hot path: a storm's repeats counted without
the ORM (see bot/detection/intake.py for the rules they follow).

One Core SELECT reads a chunk's open groups with their issues; repeats are counted in
memory (`Open`); one UPDATE per group and one per issue write them (executemany).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import bindparam, insert, select, update
from sqlmodel import Session

from bot.core.domain import Status
from bot.core.ids import IssueKey
from bot.detection.alerts import Alert
from storage.models import AlertEvent, AlertGroup, Issue

CHUNK = 250  # alerts a transaction at most: short, so writers on the loop never wait long
# Work a transaction may take before it commits at the next point it may (between
# requests, or inside a request of over CHUNK alerts): a webhook of new fingerprints
# files an issue per alert, and SQLite's writers on the loop wait for our lock.
BUDGET_SECONDS = 0.05


@dataclass
class Open:
    """An open group with a live issue, as this transaction knows it (read with Core),
    and what its repeats add, written at the end in one UPDATE each."""

    group_id: int
    issue_id: int
    issue_key: str
    status: str
    title: str
    last_seen: datetime
    occurrences: int
    added: int = 0  # repeats not yet written
    changed: bool = False  # last_seen, status or title not yet written


@dataclass
class Batch:
    """What one transaction already looked up: open groups, card edits already waiting."""

    groups: dict[str, AlertGroup | None] = field(default_factory=dict)
    issues: dict[int, Issue] = field(default_factory=dict)
    # Alert rows, inserted together (one Core INSERT) before counts and at commit.
    events: list[dict[str, object]] = field(default_factory=list)
    # The hot path's groups by fingerprint: None for one the full path handles.
    open: dict[str, Open | None] = field(default_factory=dict)
    received: dict[tuple[str, str], int] = field(default_factory=dict)  # for /metrics
    # Fingerprints this transaction knows have no open group (if another replica opens
    # one meanwhile, the unique index refuses ours and the transaction is retried).
    absent: set[str] = field(default_factory=set)
    created: set[int] = field(default_factory=set)  # groups opened in this transaction

    def flush_events(self, session: Session) -> None:
        if self.events:
            # Core, on the session's connection: the ORM's bulk machinery costs more here
            # than the INSERT itself.
            session.connection().execute(
                insert(AlertEvent.__table__),  # type: ignore[attr-defined]
                self.events,
            )
            self.events = []


Piece = tuple[int, list[Alert], bool]  # a request's index, its alerts, may it be split


def chunks(requests: list[list[Alert]]) -> list[list[Piece]]:
    """Requests (by their index) packed in order into transactions of about CHUNK alerts;
    a request over CHUNK alerts is split across transactions of its own (and may be
    split further: see Intake.store)."""
    packed: list[list[Piece]] = []
    current: list[Piece] = []
    size = 0
    for owner, alerts in enumerate(requests):
        if len(alerts) > CHUNK:
            if current:
                packed.append(current)
                current, size = [], 0
            packed += [[(owner, alerts[i : i + CHUNK], True)] for i in range(0, len(alerts), CHUNK)]
            continue
        if current and size + len(alerts) > CHUNK:
            packed.append(current)
            current, size = [], 0
        current.append((owner, alerts, False))
        size += len(alerts)
    if current:
        packed.append(current)
    return packed


def read_open(session: Session, postgres: bool, requests: list[list[Alert]], batch: Batch) -> None:
    """One Core SELECT: the open groups of the chunk's fingerprints, with their issues
    (locked on PostgreSQL, as the full path locks them)."""
    fingerprints = sorted({alert.fingerprint for alerts in requests for alert in alerts})
    group, issue = AlertGroup.__table__.c, Issue.__table__.c  # type: ignore[attr-defined]
    stmt = (
        select(
            group.id,
            group.fingerprint,
            group.issue_id,
            group.status,
            group.title,
            group.last_seen,
            group.occurrences,
            issue.number,
            issue.status,
        )
        .select_from(
            AlertGroup.__table__.outerjoin(Issue.__table__)  # type: ignore[attr-defined]
        )
        .where(group.fingerprint.in_(fingerprints), group.is_open.is_(True))
    )
    if postgres:
        stmt = stmt.with_for_update(of=AlertGroup.__table__)  # type: ignore[attr-defined]
    batch.absent = set(fingerprints)
    for row in session.connection().execute(stmt):
        batch.absent.discard(row[1])
        if row[2] is None or row[8] == Status.CLOSED:
            continue  # the full path: a threshold to count, or a new group and issue
        batch.open[row[1]] = Open(
            group_id=row[0],
            issue_id=row[2],
            issue_key=IssueKey(row[7]),
            status=row[3],
            title=row[4],
            last_seen=row[5],
            occurrences=row[6],
        )
    for fingerprint in fingerprints:
        batch.open.setdefault(fingerprint, None)


def write_open(session: Session, batch: Batch, only: str | None = None) -> None:
    """The hot path's counts: one UPDATE per group and one per issue (executemany)."""
    found = [
        o
        for fingerprint, o in batch.open.items()
        if o is not None and (only is None or fingerprint == only)
    ]
    groups = [o for o in found if o.changed or o.added]
    if groups:
        table = AlertGroup.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("gid"))
            .values(
                occurrences=table.c.occurrences + bindparam("n"),
                last_seen=bindparam("seen"),
                status=bindparam("st"),
                title=bindparam("ti"),
            ),
            [
                {
                    "gid": o.group_id,
                    "n": o.added,
                    "seen": o.last_seen,
                    "st": o.status,
                    "ti": o.title,
                }
                for o in groups
            ],
        )
    issues = [o for o in found if o.added]
    if issues:
        table = Issue.__table__  # type: ignore[attr-defined]
        session.connection().execute(
            update(table)
            .where(table.c.id == bindparam("iid"))
            .values(occurrences=table.c.occurrences + bindparam("n")),
            [{"iid": o.issue_id, "n": o.added} for o in issues],
        )
    for o in groups:
        o.added, o.changed = 0, False
