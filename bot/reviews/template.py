"""The review drafted without a model: deterministic, from recorded facts only."""

from __future__ import annotations

from bot.core.ai.prompt import Facts
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.issue_figures import TIME_TO_ACKNOWLEDGE, TIME_TO_DEPLOY, TIME_TO_FIX, Span
from bot.reviews.content import NOT_RECORDED, ActionItem, ReviewContent, TimelineEntry


def _said(sla: dict[str, str], span: Span, missing: str) -> str:
    """A time in the words /incident stats uses for it."""
    return f"{span.label}: {sla.get(span.name, missing)}"


def template_review(facts: Facts) -> ReviewContent:
    issue, sla, answers = facts.issue, facts.sla, facts.answers
    impact = answers.get("customer-impact") or answers.get("scope")
    affected = issue.get("users_affected")
    impact_text = (
        " ".join(
            p
            for p in (
                f"{affected:,} users affected." if isinstance(affected, int) else "",
                impact or "",
            )
            if p
        )
        or NOT_RECORDED
    )
    detection = (
        f"Reported by {issue['reporter']} at {issue['created_at']}"
        f"{' from ' + issue['source'] if issue.get('source') else ''}. "
        f"{_said(sla, TIME_TO_ACKNOWLEDGE, 'not acknowledged')}."
    )
    response = (
        f"Commander: {issue.get('commander') or 'none'}; assignee: "
        f"{issue.get('assignee') or 'none'}. "
        "Status updates posted: "
        f"{sum(1 for line in facts.lines if line.kind == IncidentEvent.STATUS_UPDATE)}."
    )
    resolution = (
        f"{_said(sla, TIME_TO_FIX, 'not fixed')}. {_said(sla, TIME_TO_DEPLOY, 'not deployed')}."
    )
    mitigation = answers.get("mitigation-plan")
    if mitigation:
        resolution += f" Mitigation: {mitigation}"
    breaches = sla.get("breaches", "none")
    went_well = [] if breaches != "none" else ["Every SLA clock was met."]
    went_badly = [f"SLA breached: {breaches}."] if breaches != "none" else []
    follow_up = answers.get("follow-ups")
    return ReviewContent(
        summary=f"{issue['key']}: {issue['title']} ({issue['severity']}, {issue['type']}). "
        f"{issue.get('description') or ''}".strip()[:3000],
        customer_impact=impact_text[:3000],
        detection=detection[:3000],
        response=response[:3000],
        resolution=resolution[:3000],
        timeline=[
            TimelineEntry(time=f"{line.at:%Y-%m-%d %H:%M}", event=f"{line.who}: {line.text}"[:500])
            for line in facts.lines
            if line.keep
        ][:60],
        root_cause=(answers.get("root-cause") or NOT_RECORDED)[:3000],
        contributing_factors=[],
        went_well=went_well,
        went_badly=went_badly,
        action_items=[ActionItem(title=follow_up[:200])] if follow_up else [],
        lessons_learned=[],
    )
