"""The outbox's Jira steps: create the issue's Jira issue, move it through a transition.

Exactly once as Jira sees it: every Jira issue Firebell creates carries the label
`firebell-INC-n`, and an attempt that may follow one Jira saw (a lost answer, a
process killed mid-call) searches for that label before creating. Jira's refusals
become one line in the issue's channel naming the firebell.yml key to change, and are
not retried; its rate limits, failures and silences are retried, never sooner than its
Retry-After."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.domain import Status, label
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.card_extras import CardSettings, web_link
from bot.integrations.jira_client import JiraClient, JiraFailed
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_errors import explain
from bot.integrations.jira_fields import issue_fields, marker
from bot.integrations.jira_followup_delivery import JiraFollowUpDelivery
from bot.integrations.jira_kinds import AUTO, CreateJiraIssue, JiraEvent, MoveJiraIssue, send
from bot.integrations.jira_records import jira_row, refuse, retrying, transient
from storage.db import Database
from storage.models import Issue, JiraIssue


class JiraDelivery:
    def __init__(
        self, db: Database, clock: Clock, config: JiraConfig | None, card: CardSettings
    ) -> None:
        self.db = db
        self.clock = clock
        self.config = config
        self.client = JiraClient(config) if config is not None else None
        self.card = card

    def table(self) -> dict[type[Payload], Step]:
        followups = JiraFollowUpDelivery(self.db, self.clock, self.config, self.card, self.client)
        return {CreateJiraIssue: self.create, MoveJiraIssue: self.move, **followups.table()}

    async def create(self, issue: Issue, payload: CreateJiraIssue) -> None:
        if self.config is None or self.client is None:
            return  # jira was taken out of firebell.yml since: nothing to do
        if await self.db.run(self._row, issue.id) is not None:
            return
        fields = issue_fields(self.config, issue, payload.project, web_link(self.card, issue))
        try:
            found = await self.client.find_by_label(marker(issue)) if retrying() else []
            made = found[0] if found else await self.client.create_issue(fields)
        except JiraFailed as failed:
            if failed.transient:
                raise transient(failed) from None
            told = explain(self.config, failed, f"project {payload.project}")
            action = f"create a Jira issue in {payload.project}"
            await self.db.run(self._refused, issue.id, action, told.problem, told.fix)
            return
        await self.db.run(self._created, issue.id, made, payload)

    async def move(self, issue: Issue, payload: MoveJiraIssue) -> None:
        if self.config is None or self.client is None or issue.status != payload.status:
            return  # moved on since: the newer status has its own item
        name = self.config.transitions.get(Status(payload.status))
        row = await self.db.run(self._row, issue.id)
        if name is None or row is None:
            return
        key = row.jira_key
        try:
            current = await self.client.status(key)
            if self.config.status_for(current) == Status(payload.status):
                return  # Jira is there already (it may have led the way)
            offered = await self.client.transitions(key)
            chosen = next((t for t in offered if _named(t, name)), None)
            if chosen is None:
                names = ", ".join(str(t.get("name")) for t in offered) or "none"
                problem = (
                    f"{key} (now {current}) offers no transition named “{name}”; it offers {names}."
                )
                fix = f"Change jira.transitions.{label(payload.status)} in firebell.yml."
                await self.db.run(self._refused, issue.id, f"move {key}", problem, fix)
                return
            reached = str((chosen.get("to") or {}).get("name") or name)
            await self.db.run(self._sending, row.id, reached)
            await self.client.transition(key, str(chosen["id"]))
        except JiraFailed as failed:
            if failed.transient:
                raise transient(failed) from None
            told = explain(self.config, failed, key)
            await self.db.run(self._refused, issue.id, f"move {key}", told.problem, told.fix)
            return
        await self.db.run(self._moved, issue.id, key, reached, name)

    # -- records, each one transaction ---------------------------------------
    def _row(self, issue_id: int | None) -> JiraIssue | None:
        with self.db.session() as session:
            return jira_row(session, issue_id)

    def _created(
        self, issue_id: int | None, made: dict[str, Any], payload: CreateJiraIssue
    ) -> None:
        assert self.client is not None and self.config is not None
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is None or jira_row(session, issue_id) is not None:
                return
            key = str(made["key"])
            session.add(
                JiraIssue(
                    issue_id=issue.id or 0,
                    jira_key=key,
                    jira_id=str(made.get("id") or ""),
                    project=payload.project,
                    url=self.client.browse_url(key),
                    created_at=self.clock.now(),
                )
            )
            by_rule = payload.why == AUTO
            event = add_event(
                session, issue, JiraEvent.JIRA_CREATED, self.clock, None,
                jira_key=key, project=payload.project, author=payload.why,
                rule=" by the jira.auto rule" if by_rule else "",
            )  # fmt: skip
            incident_kinds.announce(session, self.clock, issue, event)
            incident_kinds.refresh_card(session, self.clock, issue)
            if Status(issue.status) in self.config.transitions:
                # Filed by hand after it moved on: bring Jira to where the issue is.
                send(session, self.clock, issue, MoveJiraIssue(issue.status))

    def _refused(self, issue_id: int | None, action: str, problem: str, fix: str) -> None:
        refuse(self.db, self.clock, issue_id, action, problem, fix)

    def _sending(self, row_id: int | None, status: str) -> None:
        """Written before the call: the webhook about this move may come before its answer."""
        with self.db.session() as session:
            row = session.get(JiraIssue, row_id)
            if row is not None:
                row.sent_status = status
                session.add(row)

    def _moved(self, issue_id: int | None, key: str, status: str, transition: str) -> None:
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            if issue is not None:
                add_event(
                    session, issue, JiraEvent.JIRA_MOVED, self.clock, None,
                    jira_key=key, jira_status=status, transition=transition,
                )  # fmt: skip


def _named(transition: dict[str, Any], name: str) -> bool:
    return str(transition.get("name", "")).casefold() == name.casefold()


def jira_links(session: Session, issue: Issue) -> list[tuple[str, str]]:
    """The card's link to the issue's Jira issue (incidents/card_extras.py OutsideLinks)."""
    row = jira_row(session, issue.id)
    return [(f"Jira {row.jira_key}", row.url)] if row is not None else []
