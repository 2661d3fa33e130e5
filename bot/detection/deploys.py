"""Deploy events: recorded once, tied to the issues they fix, shown beside new issues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.domain import Status
from bot.core.errors import FirebellError
from bot.core.ids import IssueKey
from bot.detection import kinds
from bot.detection.validation import (
    FIRST_YEAR,
    BadPayload,
    check_depth,
    in_range,
    storable,
    text,
)
from bot.incidents.lifecycle import Lifecycle
from storage.db import Database
from storage.models import Deploy, Issue

# "fixes INC-42", "Closes: INC-7", "Resolves inc-4, INC-5 and INC-6": the word that says
# the release fixes the key after it, and the keys listed on after that one.
FIXES = re.compile(
    r"(?i)\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\s*:?\s*"
    r"(\S+(?:(?:\s*(?:,|&|\band\b)\s*|\s+)INC-[0-9]+)*)"
)
MAX_FIXES = 100


@dataclass(frozen=True)
class DeployIn:
    service: str
    version: str
    environment: str = "production"
    at: datetime | None = None
    link: str | None = None
    fixes: tuple[str, ...] = ()
    description: str = ""

    def keys(self) -> list[IssueKey]:
        named = [k.strip() for k in self.fixes] + [
            key for word in FIXES.findall(self.description) for key in IssueKey.find_all(word)
        ]
        found: set[IssueKey] = set()
        bad: set[str] = set()
        for word in named:
            try:
                found.add(IssueKey.parse(word))
            except ValueError:  # not a key, or one no issue can have (past the 32-bit column)
                bad.add(word.upper()[:40])
        if bad:
            shown = sorted(bad)
            listed = ", ".join(shown[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise FirebellError(f"fixes must be issue keys like INC-42, not {listed}")
        return sorted(found, key=lambda key: key.number)


def read_deploy(body: Any) -> DeployIn:
    """The deploy webhook's body, checked field by field; BadPayload says what is wrong."""
    check_depth(body)
    if not isinstance(body, dict):
        raise BadPayload("the body must be a JSON object")
    names = {}
    for key in ("service", "version"):
        value = body.get(key)
        if value is not None and not isinstance(value, str):
            raise BadPayload(f"body.{key} must be a string")
        if not value or not value.strip():
            raise BadPayload(f"body.{key} is missing")
        names[key] = storable(value, f"body.{key}").strip()[:80]
    link = text(body.get("link"), "body.link", numbers=False)
    if link and len(link) > 500:
        raise BadPayload("body.link is over 500 characters")
    fixes = body.get("fixes") or []
    if not isinstance(fixes, list):
        raise BadPayload("body.fixes must be a list of issue keys")
    if len(fixes) > MAX_FIXES:
        raise BadPayload(f"body.fixes lists more than {MAX_FIXES} issues")
    for index, key in enumerate(fixes):
        if not isinstance(key, str):
            raise BadPayload(f"body.fixes[{index}] must be an issue key like INC-42")
        storable(key, f"body.fixes[{index}]")
    deploy = DeployIn(
        service=names["service"],
        version=names["version"],
        environment=(text(body.get("environment"), "body.environment") or "production")[:40],
        at=_time(body.get("time")),
        link=link or None,
        fixes=tuple(fixes),
        description=text(body.get("description"), "body.description") or "",
    )
    try:
        deploy.keys()  # bad keys are refused here, before anything is stored
    except FirebellError as exc:
        raise BadPayload(str(exc)) from None
    return deploy


def _time(value: object) -> datetime | None:
    if not value:
        return None
    try:
        if not isinstance(value, str):
            raise ValueError(value)
        at = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadPayload("body.time must be an ISO 8601 time") from None
    if at.tzinfo is None:
        raise BadPayload("body.time needs a time zone, e.g. 2026-01-05T10:00:00Z")
    return in_range(at, "body.time", first_year=FIRST_YEAR)


@dataclass(frozen=True)
class Recorded:
    deploy: Deploy
    created: bool  # False for a repeat of a deploy already recorded
    fixes: list[str]  # the issues it fixed
    unknown: list[str]  # keys it names that are no issue here
    closed: list[str]  # issues it names that were closed already (left as they are)


class Deploys:
    def __init__(self, db: Database, clock: Clock, lifecycle: Lifecycle) -> None:
        self.db = db
        self.clock = clock
        self.lifecycle = lifecycle

    def record(self, deploy: DeployIn) -> Recorded:
        """Store a deploy (once per service, version, environment) and close the loop on
        the issues it fixes: an open one moves to Fixed (a release is the fix), and each
        is marked deployed, so "fixed before deployed" holds as it does for people."""
        keys = deploy.keys()
        at = deploy.at or self.clock.now()
        try:
            with self.db.session() as session:
                row = Deploy(
                    service=deploy.service,
                    version=deploy.version,
                    environment=deploy.environment,
                    deployed_at=at,
                    link=deploy.link,
                    fixes=[str(key) for key in keys],
                    received_at=self.clock.now(),
                )
                session.add(row)
                session.flush()
                fixed: list[str] = []
                unknown: list[str] = []
                closed: list[str] = []
                for key in keys:
                    issue = session.exec(select(Issue).where(Issue.number == key.number)).first()
                    if issue is None:
                        unknown.append(key)
                        continue
                    if issue.status == Status.CLOSED:
                        closed.append(issue.key)
                        continue
                    self.lifecycle.fix_automatically(
                        session, issue, f"Fixed by {deploy.version} of {deploy.service}."
                    )
                    event = self.lifecycle.deployed(
                        session,
                        issue,
                        at,
                        None,
                        version=deploy.version,
                        service=deploy.service,
                        environment=deploy.environment,
                        link=deploy.link,
                    )
                    kinds.notice(session, self.clock, issue, event)
                    fixed.append(issue.key)
                return Recorded(row, True, fixed, unknown, closed)
        except IntegrityError:
            with self.db.session() as session:
                existing = session.exec(
                    select(Deploy).where(
                        Deploy.service == deploy.service,
                        Deploy.version == deploy.version,
                        Deploy.environment == deploy.environment,
                    )
                ).one()
            return Recorded(existing, False, [], [], [])
