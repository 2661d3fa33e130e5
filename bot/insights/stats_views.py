"""`/incident stats`: the figures of a period against the one before, in Block Kit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot.core.blocks import context, fields, header, section
from bot.core.membership import Visible
from bot.incidents.issue_figures import (
    TIME_TO_ACKNOWLEDGE,
    TIME_TO_DEPLOY,
    TIME_TO_FIX,
    duration_text,
)
from bot.incidents.list_views import issue_line
from bot.insights.figure_types import Spread
from bot.insights.figures import Baseline, Figures


def _duration(spread: Spread) -> str:
    if spread.median is None:
        return "none yet"
    return f"{duration_text(spread.median)} median ({spread.count})"


def _change(now: float | None, before: float | None, *, lower_is_better: bool) -> str:
    """▲/▼ against the previous period; for times, down is good."""
    if now is None or before is None or now == before:
        return ""
    up = now > before
    good = up != lower_is_better
    return f" {'▲' if up else '▼'}{'' if good else ' (worse)'}"


def _ratio(ratio: float | None, part: int, whole: int) -> str:
    return "no deploys" if ratio is None else f"{ratio:.0%} ({part} of {whole} deploys)"


def _sla(figures: Figures) -> str:
    parts = [
        f"{kind} {ratio:.0%}"
        for kind, compliance in figures.sla.items()
        if (ratio := compliance.ratio) is not None
    ]
    return ", ".join(parts) or "no clock finished"


def figure_pairs(now: Figures, before: Baseline) -> list[tuple[str, str]]:
    """The headline figures, each with its change against the period before."""
    return [
        ("Filed", f"{now.filed}{_change(now.filed, before.filed, lower_is_better=True)}"),
        ("Open now", str(now.open_now)),
        (
            TIME_TO_ACKNOWLEDGE.label,
            _duration(now.time_to_acknowledge)
            + _change(
                now.time_to_acknowledge.median,
                before.time_to_acknowledge.median,
                lower_is_better=True,
            ),
        ),
        (
            TIME_TO_FIX.label,
            _duration(now.time_to_fix)
            + _change(now.time_to_fix.median, before.time_to_fix.median, lower_is_better=True),
        ),
        (
            TIME_TO_DEPLOY.label,
            _duration(now.time_to_deploy)
            + _change(
                now.time_to_deploy.median, before.time_to_deploy.median, lower_is_better=True
            ),
        ),
        ("SLA compliance", _sla(now)),
        (
            "Change failure rate",
            _ratio(now.deploys.change_failure_rate, now.deploys.failed, now.deploys.count)
            + _change(
                now.deploys.change_failure_rate,
                before.deploys.change_failure_rate,
                lower_is_better=True,
            ),
        ),
        (
            "Pages (in sleep hours)",
            f"{now.oncall.total.pages} ({now.oncall.total.sleep_hours})"
            + _change(
                now.oncall.total.sleep_hours, before.oncall.total.sleep_hours, lower_is_better=True
            ),
        ),
        ("Reopened", f"{now.reopened_issues} ({now.retest_revise_loops} Retest → Revise)"),
        (
            "Follow-ups",
            f"{now.followups.overdue} overdue, {now.followups.done_late} done late, "
            f"{now.followups.done_on_time} on time",
        ),
    ]


def stats_blocks(
    now: Figures, before: Baseline, days: int, slowest: Visible, at: datetime, service: str | None
) -> list[dict[str, Any]]:
    scope = f" · {service}" if service else ""
    note = f"▲▼ against the {days} days before. Times are from recorded transitions."
    if service:  # counting them would tell an outsider which service a private issue is on
        note += " Private issues you are not in are left out of a service's figures."
    blocks: list[dict[str, Any]] = [
        header(f"Insights · last {days} days{scope}"),
        fields(figure_pairs(now, before)),
        context(note),
    ]
    lines = [issue_line(issue, at) for issue in slowest.shown]
    if lines:
        blocks.append(section("*Open longest*\n" + "\n".join(lines)))
    if slowest.note():
        blocks.append(context(f"+ {slowest.note()}."))
    return blocks


def digest_figures(now: Figures, before: Baseline) -> list[dict[str, Any]]:
    """The weekly digest's figures: the last 7 days against the 7 before."""
    return [
        section("*The last 7 days* (▲▼ against the 7 before)"),
        fields(figure_pairs(now, before)),
    ]
