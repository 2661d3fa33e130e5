"""`/incident summary`: an issue told to someone joining late, in four parts: what
happened, where things stand, who is on it, what comes next.

One model call over the channel and the timeline, through the door the review uses
too (bot/core/ai: redaction, the private-issue rule, the token budget); without a
model (or when it fails) the same four parts come from the record. An answer is kept
for two minutes per issue, so a channel of people joining at once costs one call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field
from slack_sdk.web.async_client import AsyncWebClient
from sqlmodel import Session, col, select

from bot.core.ai.model import Model, NoModelAnswer
from bot.core.ai.prompt import Facts, Line
from bot.core.clock import Clock
from bot.core.domain import label
from bot.core.errors import FirebellError
from bot.core.membership import members_of
from bot.core.timeline import describe_event
from bot.incidents.channel_history import channel_history
from bot.incidents.event_kinds import IncidentEvent
from bot.incidents.gather import gather_facts
from bot.incidents.queries import step_states
from bot.playbooks.loader import Playbooks
from storage.db import Database
from storage.models import Issue, TimelineEvent

KEPT_FOR = timedelta(minutes=2)
HISTORY = 300  # channel messages read: a catch-up is about the recent past

INSTRUCTIONS = (
    "You help an engineer who is joining an ongoing incident late. Use only the facts "
    "given; where something is not recorded, say so. Be brief and concrete: names as "
    "given (<@U…>), times in UTC. Answer with one JSON object with exactly these string "
    "keys: what_happened, where_things_stand, who_is_on_it, what_comes_next. Each at "
    "most 4 sentences."
)


class CatchUpText(BaseModel):
    model_config = ConfigDict(extra="ignore")

    what_happened: str = Field(min_length=1, max_length=1500)
    where_things_stand: str = Field(min_length=1, max_length=1500)
    who_is_on_it: str = Field(min_length=1, max_length=1000)
    what_comes_next: str = Field(min_length=1, max_length=1500)


@dataclass(frozen=True)
class CatchUp:
    issue_key: str
    text: CatchUpText
    source: str  # model | record
    note: str | None  # why the record was used
    at: datetime
    people: frozenset[str]  # who is in the issue: their mentions stay live


class CatchUps:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        model: Model,
        playbooks: Playbooks,
    ) -> None:
        self.db = db
        self.clock = clock
        self.model = model
        self.playbooks = playbooks
        self._kept: dict[int, CatchUp] = {}

    def kept(self, issue_id: int) -> CatchUp | None:
        found = self._kept.get(issue_id)
        if found is not None and self.clock.now() - found.at < KEPT_FOR:
            return found
        return None

    async def catch_up(self, client: AsyncWebClient, issue_id: int) -> CatchUp:
        """The caller has checked the reader may see the issue."""
        if (found := self.kept(issue_id)) is not None:
            return found
        channel = await self.db.run(self._channel, issue_id)
        limit = min(HISTORY, self.model.config.history_limit)
        chatter = await channel_history(client, channel, limit)
        issue, facts, record, people = await self.db.run(self._record, issue_id, chatter)
        text, source, note = record, "record", None
        try:
            text = await self.model.ask(
                issue, facts, instructions=INSTRUCTIONS, answer=CatchUpText, what="catch-up"
            )
            source = "model"
        except NoModelAnswer as exc:
            note = str(exc)
        found = CatchUp(issue.key, text, source, note, self.clock.now(), people)
        self._kept[issue_id] = found
        return found

    def _channel(self, issue_id: int) -> str | None:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None:
                raise FirebellError("That issue no longer exists.")
            return issue.channel_id

    def _record(
        self, issue_id: int, chatter: list[Line]
    ) -> tuple[Issue, Facts, CatchUpText, frozenset[str]]:
        """The issue, the facts for the model, the record's own answer, who is in it."""
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            facts = gather_facts(session, issue, chatter)
            record = from_record(session, issue, self.playbooks)
            return issue, facts, record, members_of(session, issue)


def from_record(session: Session, issue: Issue, playbooks: Playbooks) -> CatchUpText:
    """The four parts from what is stored: status, leads, last update, open steps."""
    assert issue.id is not None
    events = list(
        session.exec(
            select(TimelineEvent)
            .where(TimelineEvent.issue_id == issue.id)
            .order_by(col(TimelineEvent.at).desc(), col(TimelineEvent.id).desc())
            .limit(200)
        )
    )
    update = next((e for e in events if e.kind == IncidentEvent.STATUS_UPDATE), None)
    recent = [describe_event(e) for e in events[:3]]
    leads = [
        f"{role} <@{user}>"
        for role, user in (("commander", issue.commander_id), ("assignee", issue.assignee_id))
        if user
    ]
    book = playbooks.get(issue.playbook)
    states = step_states(session, issue.id)
    open_steps = [s.text for s in book.steps(issue.phase) if s.id not in states]
    happened = f"{issue.key} was filed {issue.created_at:%Y-%m-%d %H:%M} UTC: {issue.title}."
    if issue.description:
        happened += f" {issue.description[:400]}"
    stand = f"It is {label(issue.status)} ({label(issue.severity)}), in the {issue.phase} phase."
    if update is not None:
        stand += f" Last update {update.at:%H:%M} UTC: {str(update.payload.get('text', ''))[:500]}"
    elif recent:
        stand += " Latest: " + "; ".join(recent)
    nxt = (
        "Open steps: " + "; ".join(open_steps[:6]) + "."
        if open_steps
        else "No open checklist steps in this phase."
    )
    return CatchUpText(
        what_happened=happened[:1500],
        where_things_stand=stand[:1500],
        who_is_on_it=", ".join(leads) + "." if leads else "Nobody leads it yet.",
        what_comes_next=nxt[:1500],
    )
