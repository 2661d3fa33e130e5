"""The SLA slice's timeline kinds and their words (see core/timeline.py)."""

from __future__ import annotations

from bot.core.timeline import EventKind


class SlaEvent(EventKind):
    SLA_WARNING = "sla_warning", "SLA warning: {clock} runs out in {left}"
    SLA_ESCALATING = "sla_escalating", "SLA {clock} nearly out ({left} left): escalating"
    SLA_BREACHED = "sla_breached", "SLA {clock} breached"
    ESCALATION_STARTED = (
        "escalation_started",
        "escalation started ({policy}, for the {clock} clock)",
    )
    ESCALATED = "escalated", "escalated (step {step}, round {loop}) to {targets}"
    ESCALATION_EXHAUSTED = "escalation_exhausted", "escalation ran out of steps"
    ESCALATION_FORCED = "escalation_forced", "forced the next escalation step"
    PAGE_ACKNOWLEDGED = "page_acknowledged", "acknowledged the page"
    PAGED = "paged", "paged {whom}{said}"
    PAGED_INVITED = "paged_invited", "invited {whom} into the channel, paged about the issue"
    CLOSED_IN_REVIEW = "closed_in_review", "closed the issue in the weekly review"
    STILL_RELEVANT = "still_relevant", "marked the issue still relevant in the weekly review"
    PAGER_RESOLVED = (
        "pager_resolved",
        "incident resolved{by_name}; the Firebell issue stays open until someone marks it fixed",
    )
