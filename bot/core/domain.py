"""The vocabulary of an issue: types, severities, priorities, statuses."""

from __future__ import annotations

from enum import StrEnum


class IssueType(StrEnum):
    OUTAGE = "outage"
    BUG = "bug"
    PERFORMANCE = "performance"
    SECURITY = "security"
    UI_UX = "ui/ux"
    COMPATIBILITY = "compatibility"
    COMPLIANCE = "compliance"
    OTHER = "other"


class Severity(StrEnum):
    """How bad the reporter says it is (the reporter's view, not engineering's)."""

    TRIVIAL = "trivial"
    MINOR = "minor"
    MAJOR = "major"
    CRITICAL = "critical"


class Priority(StrEnum):
    """How soon engineering will work on it; set apart from severity on purpose."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    REVISE = "revise"
    RETEST = "retest"
    FIXED = "fixed"
    CLOSED = "closed"


def label(value: str) -> str:
    """Human label for an enum value: "ui/ux" -> "UI/UX", "major" -> "Major"."""
    return "UI/UX" if value == "ui/ux" else value.capitalize()
