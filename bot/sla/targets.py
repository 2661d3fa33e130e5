"""A page target, once: what can be paged (a person, a user group, an on-call
schedule, a channel, PagerDuty, Opsgenie), who that means right now, and how it
reads in messages. Escalation steps (config `Target`), `/incident page`, the page
log and the page delivery all go through here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session

from bot.core.blocks import escape
from bot.core.errors import FirebellError
from bot.sla.config import OnCallConfig, Target
from bot.sla.oncall import overrides_for
from bot.sla.rotations import on_call


class TargetKind(StrEnum):
    """The kinds, spelled as firebell.yml, `/incident page` and stored pages spell them."""

    USER = "user"
    USERGROUP = "usergroup"
    SCHEDULE = "schedule"
    CHANNEL = "channel"
    PAGERDUTY = "pagerduty"
    OPSGENIE = "opsgenie"

    @property
    def is_slack(self) -> bool:
        """A Slack id, safe to store and show; a pager's value is a routing or API key,
        a secret never stored (its kind will do)."""
        return self in (TargetKind.USER, TargetKind.USERGROUP, TargetKind.CHANNEL)


@dataclass(frozen=True)
class PageTarget:
    kind: TargetKind
    value: str  # a Slack id, a schedule name, or a pager's key

    def __str__(self) -> str:
        """How a target reads in logs and reprs: `user:U123`, and a pager's key only as
        a short hash (`pagerduty:key#1a2b3c4d`), enough to tell two keys apart."""
        if self.kind.is_slack or self.kind == TargetKind.SCHEDULE:
            return f"{self.kind.value}:{self.value}"
        digest = hashlib.sha256(self.value.encode()).hexdigest()[:8]
        return f"{self.kind.value}:key#{digest}"

    __repr__ = __str__  # a dataclass's repr would print the key

    @classmethod
    def of(cls, kind: str, value: str) -> PageTarget:
        try:
            return cls(TargetKind(kind), value)
        except ValueError:
            known = ", ".join(k.value for k in TargetKind)
            raise FirebellError(
                f"`{escape(kind)}` is not something to page (one of {known})."
            ) from None

    @classmethod
    def configured(cls, target: Target) -> PageTarget:
        """An escalation step's target from firebell.yml (it names exactly one kind)."""
        kind, value = next((k, v) for k, v in target.model_dump().items() if v)
        return cls(TargetKind(kind), value)


@dataclass(frozen=True)
class Resolved:
    """Whom a page goes to now: never a schedule, and the schedule it came through."""

    target: PageTarget
    schedule: str | None = None


class NobodyOnCall(FirebellError):
    pass


def resolve(session: Session, config: OnCallConfig, target: PageTarget, now: datetime) -> Resolved:
    """A schedule becomes whoever is on call now (overrides included); every other
    target is itself. Raises NobodyOnCall (a FirebellError) for an unknown schedule or
    an empty shift."""
    if target.kind != TargetKind.SCHEDULE:
        return Resolved(target)
    name = target.value
    schedule = config.schedule(name)
    if schedule is None:
        known = ", ".join(s.name for s in config.schedules) or "none are configured"
        raise NobodyOnCall(f"There is no schedule `{escape(name)}` (schedules: {known}).")
    shift = on_call(schedule, now, overrides_for(session, name, now))
    if shift is None:
        raise NobodyOnCall(f"Nobody is on call for {name} right now.")
    return Resolved(PageTarget(TargetKind.USER, shift.user), name)


def render(target: PageTarget) -> str:
    """How a target reads in Slack messages (mrkdwn); a pager's key is never shown."""
    return {
        TargetKind.USER: f"<@{target.value}>",
        TargetKind.USERGROUP: f"<!subteam^{target.value}>",
        TargetKind.SCHEDULE: f"whoever is on call for {target.value}",
        TargetKind.CHANNEL: f"<#{target.value}>",
        TargetKind.PAGERDUTY: "PagerDuty",
        TargetKind.OPSGENIE: "Opsgenie",
    }[target.kind]


def render_resolved(resolved: Resolved) -> str:
    """A resolved target, with the schedule that chose it: "<@U1> (on call for sre)"."""
    through = f" (on call for {resolved.schedule})" if resolved.schedule else ""
    return render(resolved.target) + through
