"""Statuspage's words for Firebell's facts, in one place: an issue's status, the impact
of its severity, a component's status, and the page's headline.

Tools that read Atlassian Statuspage's JSON know only these words, so the page, its
JSON and its feed all take them from here."""

from __future__ import annotations

from enum import StrEnum

from bot.core.domain import Severity, Status
from storage.models import Issue


class IncidentStatus(StrEnum):
    INVESTIGATING = "investigating"
    IDENTIFIED = "identified"
    MONITORING = "monitoring"
    RESOLVED = "resolved"


class Impact(StrEnum):
    NONE = "none"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class ComponentStatus(StrEnum):
    OPERATIONAL = "operational"
    DEGRADED = "degraded_performance"
    PARTIAL = "partial_outage"
    MAJOR = "major_outage"


# New: nobody knows the cause yet; Assigned and Revise: someone has it and works on a
# fix; Retest and Fixed: the fix is out and being watched; Closed: over.
INCIDENT_STATUS: dict[Status, IncidentStatus] = {
    Status.NEW: IncidentStatus.INVESTIGATING,
    Status.ASSIGNED: IncidentStatus.IDENTIFIED,
    Status.REVISE: IncidentStatus.IDENTIFIED,
    Status.RETEST: IncidentStatus.MONITORING,
    Status.FIXED: IncidentStatus.MONITORING,
    Status.CLOSED: IncidentStatus.RESOLVED,
}
IMPACT: dict[Severity, Impact] = {
    Severity.TRIVIAL: Impact.NONE,
    Severity.MINOR: Impact.MINOR,
    Severity.MAJOR: Impact.MAJOR,
    Severity.CRITICAL: Impact.CRITICAL,
}
# What an unresolved incident of each impact does to the components of its services.
COMPONENT_STATUS: dict[Impact, ComponentStatus] = {
    Impact.NONE: ComponentStatus.OPERATIONAL,
    Impact.MINOR: ComponentStatus.DEGRADED,
    Impact.MAJOR: ComponentStatus.PARTIAL,
    Impact.CRITICAL: ComponentStatus.MAJOR,
}
# The page's headline for the worst impact among unresolved incidents (Statuspage's own).
INDICATOR: dict[Impact, str] = {
    Impact.NONE: "All Systems Operational",
    Impact.MINOR: "Minor Service Outage",
    Impact.MAJOR: "Partial System Outage",
    Impact.CRITICAL: "Major Service Outage",
}
# Words for people on the HTML page.
SHOWN: dict[str, str] = {
    **{s.value: s.value.capitalize() for s in IncidentStatus},
    ComponentStatus.OPERATIONAL: "Operational",
    ComponentStatus.DEGRADED: "Degraded performance",
    ComponentStatus.PARTIAL: "Partial outage",
    ComponentStatus.MAJOR: "Major outage",
}


def incident_status(issue: Issue) -> IncidentStatus:
    """The Statuspage word for the issue now; a merged duplicate is resolved (its
    customers follow the issue it was merged into)."""
    if issue.merged_into_id is not None:
        return IncidentStatus.RESOLVED
    return INCIDENT_STATUS[Status(issue.status)]


def is_resolved(issue: Issue) -> bool:
    return incident_status(issue) == IncidentStatus.RESOLVED


def impact(issue: Issue) -> Impact:
    return IMPACT[Severity(issue.severity)]


def worst(impacts: list[Impact]) -> Impact:
    order = list(Impact)
    return max(impacts, key=order.index, default=Impact.NONE)
