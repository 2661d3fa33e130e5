"""What happened, for whoever counts it (/metrics): noted inside the transaction that
did it, and told only after that transaction commits, so a rolled-back change is
never counted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session

from storage.models import Issue

OBSERVED = "observations"  # the session.info key (Database.after_commit hands it over)

ISSUE_FILED = "issue_filed"  # labels: source, severity
ACKNOWLEDGED = "acknowledged"  # labels: severity; value: seconds since filing
FIXED = "fixed"  # labels: severity; value: seconds since filing
DEPLOYED = "deployed"  # no labels; value: seconds since the fix
SLA_BREACHED = "sla_breached"  # labels: clock, severity
PAGED = "paged"  # labels: target kind
ALERT_RECEIVED = "alert_received"  # labels: source, status


@dataclass(frozen=True)
class Observation:
    name: str
    labels: tuple[str, ...] = ()
    value: float = 1.0


def note(
    session: Session, name: str, *labels: str, value: float = 1.0, about: Issue | None = None
) -> None:
    """Count it after commit, unless it is `about` a drill (exclude_from_metrics)."""
    if about is not None and about.exclude_from_metrics:
        return
    session.info.setdefault(OBSERVED, []).append(Observation(name, labels, value))


def committed(info: dict[str, Any]) -> list[Observation]:
    """What a committed transaction noted."""
    found = info.get(OBSERVED) or []
    return [o for o in found if isinstance(o, Observation)]
