"""What each status says to people, in one place: what it means for a reporter (who
is often a support person, for whom "Revise" means nothing), and how long an issue
has been in it, in a list.

The status word itself (label) stays in small print for those who know the lifecycle.
"""

from __future__ import annotations

from datetime import datetime

from bot.core.domain import Status, label
from bot.core.durations import rough_age
from storage.models import Issue

# One sentence per status, as a reporter reads it after "INC-7 (title): ".
FOR_REPORTERS: dict[Status, str] = {
    Status.NEW: "it is filed and waiting for someone in engineering to take it.",
    Status.ASSIGNED: "someone in engineering has taken it and is looking into it.",
    Status.REVISE: "engineering is working on a fix.",
    Status.RETEST: "a fix is ready and being checked.",
    Status.FIXED: "fixed; it will reach you with the next deploy.",
    Status.CLOSED: "it is closed.",
}
# A move back to an earlier status means something else than reaching it first.
BACK_AGAIN: dict[Status, str] = {
    Status.REVISE: "the fix did not pass its check; engineering is on it again.",
    Status.ASSIGNED: "it is reopened; engineering is on it again.",
}
ORDER = list(Status)


def for_reporter(before: str, after: str) -> str:
    """What moving from `before` to `after` means for the person who reported it."""
    then, now = Status(before), Status(after)
    if ORDER.index(then) > ORDER.index(now) and now in BACK_AGAIN:
        return BACK_AGAIN[now]
    return FOR_REPORTERS[now]


def small_print(before: str, after: str) -> str:
    """The status words, for the small print under the sentence."""
    return f"Status: {label(after)} · was {label(before)}"


def since(issue: Issue, now: datetime) -> str:
    """How long, read right for the status: "filed 5m ago", "open 2h", "fixed 1h ago",
    "closed 2m ago" (a closed issue is not "open 2m")."""
    status = Status(issue.status)
    ended = {Status.CLOSED: issue.closed_at, Status.FIXED: issue.fixed_at}
    if status in ended:
        at = ended[status]  # unknown on rows older than the column: the word alone
        return status.value if at is None else f"{status.value} {rough_age(now - at)} ago"
    if status == Status.NEW:
        return f"filed {rough_age(now - issue.created_at)} ago"
    return f"open {rough_age(now - issue.created_at)}"
