"""Deploy events: recorded once, tied to the issues they fix, shown beside new issues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.core.timeline import add_event
from bot.detection import kinds
from bot.detection.validation import (
    FIRST_YEAR,
    BadPayload,
    check_depth,
    in_range,
    storable,
    text,
)
from bot.incidents import kinds as incident_kinds
from storage.db import Database
from storage.models import Deploy, Issue

FIXES = re.compile(r"(?i)\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\s*:?\s*(INC-[0-9]+)")
# At most 9 digits: the issue number column is a 32-bit integer.
KEY = re.compile(r"(?i)^INC-[0-9]{1,9}$")
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

    def keys(self) -> list[str]:
        found = {k.upper() for k in self.fixes} | {
            m.upper() for m in FIXES.findall(self.description)
        }
        bad = sorted(k[:40] for k in found if not KEY.fullmatch(k))
        if bad:
            shown = ", ".join(bad[:5]) + (f" and {len(bad) - 5} more" if len(bad) > 5 else "")
            raise FirebellError(f"fixes must be issue keys like INC-42, not {shown}")
        return sorted(found, key=lambda k: int(k.split("-")[1]))


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


class Deploys:
    def __init__(self, db: Database, clock: Clock) -> None:
        self.db = db
        self.clock = clock

    def record(self, deploy: DeployIn) -> tuple[Deploy, bool, list[str]]:
        """Store a deploy (once per service, version, environment); mark what it fixes."""
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
                    fixes=keys,
                    received_at=self.clock.now(),
                )
                session.add(row)
                session.flush()
                fixed = []
                for key in keys:
                    issue = session.exec(
                        select(Issue).where(Issue.number == int(key.split("-")[1]))
                    ).first()
                    if issue is None:
                        continue
                    issue.deployed_at = issue.deployed_at or at
                    session.add(issue)
                    event = add_event(
                        session,
                        issue,
                        "deployed",
                        self.clock,
                        None,
                        version=deploy.version,
                        service=deploy.service,
                        environment=deploy.environment,
                        link=deploy.link,
                    )
                    kinds.notice(session, self.clock, issue, event)
                    incident_kinds.refresh_card(session, self.clock, issue)
                    fixed.append(issue.key)
                return row, True, fixed
        except IntegrityError:
            with self.db.session() as session:
                existing = session.exec(
                    select(Deploy).where(
                        Deploy.service == deploy.service,
                        Deploy.version == deploy.version,
                        Deploy.environment == deploy.environment,
                    )
                ).one()
            return existing, False, []
