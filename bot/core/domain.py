"""The vocabulary of an issue: types, severities, priorities, statuses."""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator


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


# The words teams already use for severity. SEV0 and P0 exist in many runbooks
# (worse than SEV1); they mean Critical here, the worst we have.
SEVERITY_ALIASES: dict[str, Severity] = {
    "sev0": Severity.CRITICAL,
    "sev1": Severity.CRITICAL,
    "sev2": Severity.MAJOR,
    "sev3": Severity.MINOR,
    "sev4": Severity.TRIVIAL,
    "p0": Severity.CRITICAL,
    "p1": Severity.CRITICAL,
    "p2": Severity.MAJOR,
    "p3": Severity.MINOR,
    "p4": Severity.TRIVIAL,
}
SEVERITY_WORDS_HINT = "trivial, minor, major, critical (or sev1-sev4, p1-p4)"


def parse_severity(word: str) -> Severity | None:
    """A severity by name or alias, in any case, `SEV-1` and `sev 1` included."""
    key = re.sub(r"[\s_-]", "", word.strip().lower())
    if key in {s.value for s in Severity}:
        return Severity(key)
    return SEVERITY_ALIASES.get(key)


def _severity_or_as_is(value: object) -> object:
    """For config files: an alias becomes its severity; anything else is left for the
    enum to refuse with its usual message."""
    found = parse_severity(value) if isinstance(value, str) else None
    return found.value if found is not None else value


# A severity in a config or playbook file, where an alias is as good as the name.
SeverityName = Annotated[Severity, BeforeValidator(_severity_or_as_is)]


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
