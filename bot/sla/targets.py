"""A page target, once: what can be paged (a person, a user group, an on-call
schedule, a channel, PagerDuty, Opsgenie), who that means right now, and how it
reads in messages. Escalation steps (config `Target`), `/incident page`, the page
log and the page delivery all go through here."""

from __future__ import annotations

import asyncio
import hashlib
import logging
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

import aiohttp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session

from bot.core.blocks import escape
from bot.core.errors import FirebellError
from bot.core.slack_steps import slack_error
from bot.sla.config import OnCallConfig, Target
from bot.sla.oncall import overrides_for
from bot.sla.rotations import on_call

log = logging.getLogger(__name__)


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


# Within a command's 3-second ack, with time left for the page itself to be recorded.
CHECK_SECONDS = 1.5
# What Slack answers for a person or a group it does not have.
NOT_THERE = {"user_not_found", "users_not_found", "no_such_subteam", "subteam_not_found"}


class NotPageable(FirebellError):
    pass


async def confirm_in_slack(client: AsyncWebClient, target: PageTarget) -> None:
    """Before a person or a user group named in a command is paged: NotPageable when Slack
    has no such person (`users.info`: `user_not_found`), the person has left (a deactivated
    account) or is an app, or the group does not exist or has nobody in it. Nothing is
    queued for a page nobody can receive.

    Slack not answering in time, or answering anything else, lets the page go: a page is
    worth more than this check, and its delivery retries.
    """
    if target.kind not in (TargetKind.USER, TargetKind.USERGROUP):
        return
    try:
        async with asyncio.timeout(CHECK_SECONDS):
            if target.kind == TargetKind.USER:
                answer = await client.users_info(user=target.value)
                _a_person(target, answer.get("user") or {})
            else:
                answer = await client.usergroups_users_list(usergroup=target.value)
                if not answer.get("users"):
                    raise NotPageable(f"{render(target)} has nobody in it, so nobody was paged.")
    except SlackApiError as exc:
        code = slack_error(exc)
        if code in NOT_THERE:
            what = "a person" if target.kind == TargetKind.USER else "a user group"
            raise NotPageable(
                f"`{target.value}` is not {what} in this workspace, so nobody was paged."
            ) from None
        log.warning("could not check %s before paging (%s); paging anyway", target, code)
    except (TimeoutError, aiohttp.ClientError) as exc:
        log.warning("could not check %s before paging (%r); paging anyway", target, exc)


def _a_person(target: PageTarget, user: dict[str, object]) -> None:
    if user.get("deleted"):
        raise NotPageable(f"{render(target)} has left this workspace, so nobody was paged.")
    if user.get("is_bot") or target.value == "USLACKBOT":
        raise NotPageable(f"{render(target)} is an app, not a person, so nobody was paged.")


def pager_keys(config: OnCallConfig) -> list[str]:
    """Every pager key (PagerDuty routing key, Opsgenie API key) in firebell.yml's
    escalation steps: secrets, which the logs mask by value."""
    targets = (
        PageTarget.configured(target)
        for policy in config.escalation_policies
        for step in policy.steps
        for target in step.targets
    )
    return [t.value for t in targets if t.kind in (TargetKind.PAGERDUTY, TargetKind.OPSGENIE)]
