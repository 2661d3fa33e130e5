"""POST /webhooks/pagerduty: PagerDuty's v3 webhooks about the incidents Firebell
triggered, so an on-call who acknowledges from the PagerDuty app is recorded here.

- Signed: `X-PagerDuty-Signature` holds one or more `v1=<hex HMAC-SHA256 of the raw
  body>` (several while a secret is rotated); any match accepts, none is a 401.
- Once per event id (`event.id`): a redelivery changes nothing.
- Only incidents Firebell triggered count: their `incident_key` is the dedup_key
  Firebell sent, `firebell-INC-n` (sla/pager_calls.py alert_key), on an issue that
  paged PagerDuty.
- `incident.acknowledged` acknowledges the issue through the lifecycle, in the name of
  the PagerDuty user (v3 names them by id and name only, no e-mail, so they are
  recorded by name as someone outside Slack: never mentioned, given no role).
- `incident.resolved` is a side note on the timeline and in the channel: PagerDuty
  resolving its incident does not mean the fix is in; the issue stays open.
- Neither is echoed back: PagerDuty is marked told on the pager loop's ledger first
  (sla/pager_loop.py heard_from), so Firebell sends it no acknowledge (or resolve) of
  its own. Opsgenie, if it paged too, still hears of the acknowledgement.
"""

from __future__ import annotations

import contextvars
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from pydantic import SecretStr
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.deliveries import delivery_key, note_seen, remember, seen
from bot.core.errors import FirebellError
from bot.core.http_problems import Problem
from bot.core.ids import IssueKey
from bot.core.log_context import bind
from bot.core.people import Actor
from bot.core.signatures import any_matches, hex_digest
from bot.core.timeline import add_event
from bot.core.webhook_bodies import read_body
from bot.incidents import kinds as incident_kinds
from bot.incidents.lifecycle import Lifecycle
from bot.sla.event_kinds import SlaEvent
from bot.sla.kinds import PagerAction
from bot.sla.pager_loop import heard_from, triggered_pagers
from bot.sla.targets import TargetKind
from storage.db import Database, DatabaseBusy
from storage.models import Issue

SIGNATURE_HEADER = "X-PagerDuty-Signature"
ACKNOWLEDGED, RESOLVED, PING = "incident.acknowledged", "incident.resolved", "pagey.ping"
OUR_KEY = re.compile(r"firebell-(INC-[0-9]{1,10})")
TOOL = "pagerduty"  # the actor of what PagerDuty tells us
MAX_NAME = 80


class BadEvent(ValueError):
    """The body is not a PagerDuty v3 webhook; the message says what is wrong."""


@dataclass(frozen=True)
class PagerDutyEvent:
    id: str
    type: str
    incident_key: str | None
    agent: str | None  # who acted in PagerDuty, by name (or PagerDuty user id)


def signed(secret: SecretStr, raw: bytes, header: str) -> bool:
    given = [p.strip()[3:] for p in header.split(",") if p.strip().startswith("v1=")]
    return bool(given) and any_matches(given, hex_digest(secret, raw))


def _clean(value: object) -> str | None:
    """A name to store and show (escaped when shown): text only, no NUL, not too long."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    kept = "".join(c for c in value if c.isprintable()).strip()
    return kept[:MAX_NAME] or None


def read_event(raw: bytes) -> PagerDutyEvent:
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadEvent("the body is not valid JSON") from None
    event = body.get("event") if isinstance(body, dict) else None
    if not isinstance(event, dict):
        raise BadEvent("body.event is missing or not an object")
    event_id, kind = event.get("id"), event.get("event_type")
    if not isinstance(event_id, str) or delivery_key(TOOL, event_id) is None:
        raise BadEvent("body.event.id is missing or not an event id")
    if not isinstance(kind, str) or not kind:
        raise BadEvent("body.event.event_type is missing")
    data, agent = event.get("data"), event.get("agent")
    data = data if isinstance(data, dict) else {}
    agent = agent if isinstance(agent, dict) else {}
    key = data.get("incident_key")
    return PagerDutyEvent(
        id=event_id,
        type=kind,
        incident_key=key if isinstance(key, str) else None,
        agent=_clean(agent.get("summary")) or _clean(agent.get("id")),
    )


class PagerDutyWebhook:
    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle

    def handle(self, event: PagerDutyEvent) -> tuple[int, dict[str, Any]]:
        """The answer's status and body. Synchronous: run in the database's threads."""
        key = delivery_key(TOOL, event.id)
        assert key is not None  # read_event checked it
        with self.db.session() as session:
            if seen(session, key):
                return 200, {"ok": True, "note": "this event was handled already"}
            issue = self._our_issue(session, event)
        if event.type not in (ACKNOWLEDGED, RESOLVED) or isinstance(issue, str):
            note = issue if isinstance(issue, str) else f"{event.type} events are not read"
            if event.type == PING:
                note = "pong: Firebell hears this subscription"
            remember(self.db, self.clock, key)
            return 202, {"ok": True, "note": note}
        assert issue.id is not None
        if event.type == ACKNOWLEDGED:
            with self.db.session() as session:
                found = session.get(Issue, issue.id)
                assert found is not None
                heard_from(
                    session,
                    found,
                    TargetKind.PAGERDUTY.value,
                    PagerAction.ACKNOWLEDGE,
                    self.clock.now(),
                )
            done = self.lifecycle.acknowledge(
                issue.id, Actor(TOOL), outside=event.agent or "someone in PagerDuty"
            )
            remember(self.db, self.clock, key)
            already = done.message.endswith("already acknowledged.")
            action = "already_acknowledged" if already else "acknowledged"
            return 200, {"ok": True, "issue": issue.key, "action": action}
        return self._resolved(issue.id, event, key)

    def _our_issue(self, session: Session, event: PagerDutyEvent) -> Issue | str:
        """The issue whose alert the event is about, or why it is none of Firebell's."""
        match = OUR_KEY.fullmatch(event.incident_key or "")
        if match is None:
            return "not an incident Firebell triggered (its incident_key is no firebell-INC-n)"
        try:
            number = IssueKey.parse(match[1]).number
        except ValueError:
            return f"there is no {match[1]}"
        issue = session.exec(select(Issue).where(Issue.number == number)).first()
        if issue is None:
            return f"there is no {match[1]}"
        if not any(
            kind == TargetKind.PAGERDUTY.value for kind, _ in triggered_pagers(session, issue)
        ):
            return f"Firebell never paged PagerDuty about {issue.key}"
        return issue

    def _resolved(
        self, issue_id: int, event: PagerDutyEvent, key: str
    ) -> tuple[int, dict[str, Any]]:
        try:
            with self.db.session() as session:
                issue = session.get(Issue, issue_id, with_for_update=self.db.is_postgres)
                assert issue is not None
                now = self.clock.now()
                heard_from(session, issue, TargetKind.PAGERDUTY.value, PagerAction.RESOLVE, now)
                note = add_event(
                    session, issue, SlaEvent.PAGER_RESOLVED, self.clock, TOOL, by=event.agent
                )
                incident_kinds.announce(session, self.clock, issue, note)
                note_seen(session, self.clock, key)  # with the note: both, or neither
                answer = {"ok": True, "issue": issue.key, "action": "noted_resolved"}
        except IntegrityError:  # a twin delivery, at the same moment, noted it first
            return 200, {"ok": True, "note": "this event was handled already"}
        return 200, answer


def add_pagerduty_route(
    app: web.Application, hook: PagerDutyWebhook, secret: SecretStr | None, max_kb: int
) -> None:
    """Before /webhooks/{source}: aiohttp tries routes in the order they were added."""
    app.router.add_post("/webhooks/pagerduty", _handler(hook, secret, max_kb))


def _handler(
    hook: PagerDutyWebhook, secret: SecretStr | None, max_kb: int
) -> Callable[[web.Request], Any]:
    async def receive(request: web.Request) -> web.Response:
        bind(webhook_source=TOOL)
        raw = await read_body(request, max_kb)
        if secret is None:
            raise Problem(401, "the pagerduty webhook is off: set webhooks.pagerduty_secret")
        if not signed(secret, raw, request.headers.get(SIGNATURE_HEADER, "")):
            raise Problem(401, f"{SIGNATURE_HEADER} does not match the body and the secret")
        try:
            event = read_event(raw)
            status, body = await hook.db.run_unless_busy(
                contextvars.copy_context().run, hook.handle, event
            )
        except (BadEvent, FirebellError) as exc:
            raise Problem(400, str(exc)) from exc
        except DatabaseBusy as busy:
            raise Problem(
                503,
                f"the database is busy; send it again in {busy.retry_after_seconds} s",
                headers={"Retry-After": str(busy.retry_after_seconds)},
            ) from None
        return web.json_response(body, status=status)

    return receive
