"""`firebell check-config --explain`: the SLA policy in force, after the defaults were
merged under what firebell.yml says, as a table a person can check."""

from __future__ import annotations

from datetime import timedelta

from bot.core.domain import Severity
from bot.core.durations import format_duration
from bot.sla.config import CLOCKS, EscalationPolicy, OnCallConfig, SlaPolicy

HEADER = ("severity", *CLOCKS, "escalation policy")


def sla_table(config: OnCallConfig) -> list[str]:
    """One line per severity, worst first, then the thresholds and the business hours."""
    rows = [HEADER] + [_row(config, severity) for severity in reversed(Severity)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(HEADER))]
    lines = [
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    sla = config.sla
    lines.append(
        f"warn the owner at {sla.warn_at:.0%} of a clock; escalate at {sla.escalate_at:.0%} "
        "(a policy that starts on open pages at filing)"
    )
    for severity in reversed(Severity):
        hours = sla.policy(severity).business_hours
        if hours is not None:
            days = ", ".join(hours.days)
            lines.append(
                f"{severity.value}: business hours {days} {hours.start:%H:%M}-{hours.end:%H:%M} "
                f"{hours.timezone} (a day is one business day)"
            )
    narrower = [p.name for p in config.escalation_policies if p.match.types or p.match.services]
    if narrower:
        lines.append(f"for some types or services instead: {', '.join(narrower)}")
    return lines


def _row(config: OnCallConfig, severity: Severity) -> tuple[str, ...]:
    policy = config.sla.policy(severity)
    clocks = tuple(_clock(policy, getattr(policy, name)) for name in CLOCKS)
    return (severity.value, *clocks, _escalation(config, severity))


def _clock(policy: SlaPolicy, span: timedelta | None) -> str:
    if span is None:
        return "off"
    return format_duration(span) + (" (business)" if policy.business_hours else "")


def _escalation(config: OnCallConfig, severity: Severity) -> str:
    """The policy an issue of this severity gets when no type or service narrows it."""
    fits = [
        p
        for p in config.escalation_policies
        if not p.match.types
        and not p.match.services
        and (not p.match.severities or severity in p.match.severities)
    ]
    if not fits:
        return "none (nobody is paged)"
    chosen: EscalationPolicy = max(fits, key=lambda p: (bool(p.match.severities), p.name))
    start = "on open" if chosen.starts_on_open(severity) else f"at {config.sla.escalate_at:.0%}"
    return f"{chosen.name} (starts {start})"
