"""What the model is told about an issue (a review draft, a catch-up), and the prompt
built from it within a token budget, redacted."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from bot.core.redact import Contacts, redact

# Importance of a timeline line: kept ones survive condensing; chatter goes first.
KEEP_KINDS = {
    "filed",
    "status_changed",
    "reopened",
    "severity_changed",
    "priority_changed",
    "pinned_message",
    "step_done",
    "step_skipped",
    "status_update",
    "acknowledged",
    "deployed",
    "sla_breached",
    "escalated",
    "escalation_started",
    "role_set",
    "closed_in_review",
}


@dataclass(frozen=True)
class Line:
    at: datetime
    who: str
    text: str
    keep: bool
    kind: str | None = None  # the timeline event's kind; None for channel chatter


@dataclass
class Facts:
    issue: dict[str, Any]
    sla: dict[str, str]
    answers: dict[str, str]
    participants: dict[str, str]
    lines: list[Line] = field(default_factory=list)


def tokens(text: str) -> int:
    """A cheap estimate (about four characters a token) that errs on the high side."""
    return len(text) // 4 + 1


@dataclass(frozen=True)
class Prompt:
    messages: list[dict[str, str]]
    tokens: int
    condensed: int  # timeline lines folded into summaries


def _format(line: Line) -> str:
    return f"{line.at:%Y-%m-%d %H:%M} {line.who}: {line.text}"


def _fold(lines: list[Line]) -> Line:
    people = sorted({line.who for line in lines})
    return Line(
        at=lines[0].at,
        who="(condensed)",
        text=(
            f"{len(lines)} earlier messages and events from {lines[0].at:%H:%M} to "
            f"{lines[-1].at:%H:%M} by {', '.join(people[:8])}"
        ),
        keep=True,
    )


def condense(lines: list[Line], budget: int) -> tuple[list[Line], int]:
    """Fold the oldest chatter into summary lines until the timeline fits `budget` tokens."""
    lines = sorted(lines, key=lambda line: line.at)
    folded = 0

    def size(items: list[Line]) -> int:
        return sum(tokens(_format(item)) + 1 for item in items)

    while size(lines) > budget:
        chatter = [i for i, line in enumerate(lines) if not line.keep]
        if not chatter:
            break
        # Fold the oldest run of chatter, growing it until the timeline fits.
        run = chatter[: max(1, len(chatter) // 2)] if size(lines) > 2 * budget else chatter[:8]
        start, end = run[0], run[-1]
        group = [line for line in lines[start : end + 1] if not line.keep]
        rest = [line for line in lines[start : end + 1] if line.keep]
        lines = [*lines[:start], _fold(group), *rest, *lines[end + 1 :]]
        folded += len(group)
    if size(lines) > budget:  # still too long: shorten the longest kept lines
        limit = max(80, budget * 4 // max(len(lines), 1) - 40)
        lines = [Line(line.at, line.who, line.text[:limit], line.keep, line.kind) for line in lines]
    if size(lines) > budget:  # and finally keep the newest that fit
        kept: list[Line] = []
        for line in reversed(lines):
            if size([*kept, line]) > budget:
                break
            kept.insert(0, line)
        folded += len(lines) - len(kept)
        lines = kept
    return lines, folded


def _redacted(value: Any, contacts: Contacts) -> Any:
    if isinstance(value, str):
        return redact(value, **contacts)
    if isinstance(value, dict):
        return {key: _redacted(item, contacts) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item, contacts) for item in value]
    return (
        value if value is None or isinstance(value, int | float) else redact(str(value), **contacts)
    )


def build_prompt(
    facts: Facts,
    budget: int,
    *,
    instructions: str,
    redact_emails: bool = True,
    redact_phone_numbers: bool = True,
) -> Prompt:
    head = {
        "issue": facts.issue,
        "sla": facts.sla,
        "answers": facts.answers,
        "participants": facts.participants,
    }
    # Redact the values before JSON escapes them: in the dump a quoted value in a description
    # reads `password: \"hunter2\"`, which no pattern takes for a quoted value.
    contacts = Contacts(emails=redact_emails, phones=redact_phone_numbers)
    head_text = json.dumps(_redacted(head, contacts), indent=1, default=str)
    fixed = tokens(instructions) + tokens(head_text) + 50
    timeline, folded = condense(facts.lines, max(budget - fixed, 200))
    body = "\n".join(redact(_format(line), **contacts) for line in timeline)
    user = f"Facts:\n{head_text}\n\nTimeline (UTC):\n{body}"
    messages = [{"role": "system", "content": instructions}, {"role": "user", "content": user}]
    return Prompt(messages, tokens(instructions) + tokens(user), folded)
