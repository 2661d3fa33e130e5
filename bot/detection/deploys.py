"""Deploy events: recorded once, tied to the issues they fix, shown beside new issues."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.core.timeline import add_event
from bot.detection import kinds
from bot.incidents import kinds as incident_kinds
from storage.db import Database
from storage.models import Deploy, Issue

FIXES = re.compile(r"(?i)\b(?:fix(?:es|ed)?|close[sd]?|resolve[sd]?)\s*:?\s*(INC-\d+)")
KEY = re.compile(r"(?i)^INC-(\d+)$")


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
        bad = [k for k in found if not KEY.match(k)]
        if bad:
            raise FirebellError(f"fixes must be issue keys like INC-42, not {', '.join(bad)}")
        return sorted(found, key=lambda k: int(k.split("-")[1]))


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
