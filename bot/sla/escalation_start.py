"""Starting an escalation policy for one of an issue's clocks: by the engine at a
threshold or a breach, by a person, or at filing when the policy (or the alert
route) says `start: on_open`. The engine's sweep then runs the steps, each page
once, on the ledger."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.timeline import add_event
from bot.incidents.hooks import IssueHooks
from bot.sla.config import EscalationPolicy, OnCallConfig
from bot.sla.event_kinds import SlaEvent
from storage.models import Escalation, Issue


def policy_of(config: OnCallConfig, issue: Issue) -> EscalationPolicy | None:
    return config.policy_for(issue.escalation_policy, issue.severity, issue.type, issue.service)


def start_escalation(
    session: Session,
    clock: Clock,
    issue: Issue,
    policy: EscalationPolicy | None,
    clock_kind: str,
    now: datetime,
    clock_started: datetime | None = None,
    on_open: bool = False,
    known: dict[tuple[int, str], Escalation] | None = None,
    add: Callable[..., object] = add_event,
) -> bool:
    """Start the policy; False if there is none or one already runs for the clock.

    The engine passes when the clock's current run started: an escalation that
    already ran its course in that run (exhausted, stopped) is not restarted by the
    breach, so `repeat` means what it says. A person's /incident escalate passes
    nothing and always starts afresh. The engine's sweep also passes `known`, every
    escalation of the issues it sweeps by (issue id, clock), read in one query; the
    one started here is added to it, and its batch's `add`, which records the event.
    """
    if policy is None:
        return False
    assert issue.id is not None
    if known is not None:
        existing = known.get((issue.id, clock_kind))
    else:
        existing = session.exec(
            select(Escalation).where(
                Escalation.issue_id == issue.id, Escalation.clock == clock_kind
            )
        ).first()
    if existing is not None:
        if existing.stopped_at is None:
            return False
        if clock_started is not None and existing.started_at >= clock_started:
            return False
        session.delete(existing)  # a clock restarted (reopen), or a person asked
        session.flush()
    row = Escalation(
        issue_id=issue.id,
        clock=clock_kind,
        policy_name=policy.name,
        policy=policy.model_dump(mode="json"),
        step=0,
        loop=0,
        next_step_at=now,
        started_at=now,
        on_open=on_open,
    )
    session.add(row)
    if known is not None:
        known[(issue.id, clock_kind)] = row
    add(
        session,
        issue,
        SlaEvent.ESCALATION_STARTED,
        clock,
        None,
        clock=clock_kind,
        policy=policy.name,
        on_open=on_open or None,
    )
    return True


class PageOnOpen(IssueHooks):
    """At filing: a policy that says `start: on_open` for the issue's severity starts
    escalating now, in the filing's own transaction (the next tick pages). The
    warn and escalate thresholds keep running; the escalate one finds it started."""

    def __init__(self, config: OnCallConfig, clock: Clock) -> None:
        self.config = config
        self.clock = clock

    def on_filed(self, session: Session, issue: Issue) -> None:
        policy = policy_of(self.config, issue)
        if policy is not None and policy.starts_on_open(issue.severity):
            start_escalation(
                session, self.clock, issue, policy, "acknowledge", issue.created_at, on_open=True
            )

    def start_escalation_on_open(self, session: Session, issue: Issue) -> None:
        """An alert route that says `start: on_open` (detection asks through the hooks)."""
        policy = policy_of(self.config, issue)
        start_escalation(
            session, self.clock, issue, policy, "acknowledge", issue.created_at, on_open=True
        )
