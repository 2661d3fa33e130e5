"""The outbox's step that exports a review follow-up to Jira: a Jira issue of its own,
linked to the parent's Jira issue (`POST /rest/api/3/issueLink`).

Exactly once as Jira sees it, in two halves. The create: the follow-up's Jira issue
carries the label `firebell-followup-<id>`, searched for before creating again on any
attempt that may follow one Jira saw; its key is stored as soon as it is known. The
link: an attempt after the key was stored reads the child's `issuelinks` and links only
if no link of that type to the parent is there. The step runs on the issue's Jira
stream, after the parent's create."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

from bot.core.clock import Clock
from bot.core.delivery import Payload, Step
from bot.core.timeline import add_event
from bot.incidents import kinds as incident_kinds
from bot.incidents.card_extras import CardSettings, web_link
from bot.integrations.jira_client import JiraClient, JiraFailed
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_errors import explain, explain_link
from bot.integrations.jira_fields import followup_fields, followup_marker
from bot.integrations.jira_kinds import ExportFollowUp, JiraEvent
from bot.integrations.jira_records import jira_row, refuse, retrying, transient
from storage.db import Database
from storage.models import FollowUp, Issue, JiraFollowUp, JiraIssue


def exported(session: Session, followup_id: int | None) -> JiraFollowUp | None:
    return session.exec(select(JiraFollowUp).where(JiraFollowUp.followup_id == followup_id)).first()


class JiraFollowUpDelivery:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        config: JiraConfig | None,
        card: CardSettings,
        client: JiraClient | None,
    ) -> None:
        """`client`: the Jira issue steps' own (one connection pool, one set of limits)."""
        self.db = db
        self.clock = clock
        self.config = config
        self.client = client
        self.card = card

    def table(self) -> dict[type[Payload], Step]:
        return {ExportFollowUp: self.export}

    async def export(self, issue: Issue | None, payload: ExportFollowUp) -> None:
        if self.config is None or self.client is None or issue is None:
            return  # jira was taken out of firebell.yml since: nothing to do
        state = await self.db.run(self._state, issue.id, payload.followup_id)
        if state is None:
            return  # the follow-up is gone
        followup, parent, done = state
        if done is not None and done.linked_to is not None:
            return
        title = followup.title
        if parent is None:
            # The parent's create ran first on this stream and was refused (said above).
            problem = f"{issue.key} has no Jira issue to link it to (see Jira's refusal above)."
            fix = "Fix that, then run `/incident jira followups` again."
            action = f"export the follow-up “{title}”"
            await self.db.run(refuse, self.db, self.clock, issue.id, action, problem, fix)
            return
        child = done.jira_key if done is not None else None
        try:
            if child is None:
                link = web_link(self.card, issue)
                fields = followup_fields(self.config, followup, issue, parent.project, link)
                found = (
                    await self.client.find_by_label(followup_marker(followup)) if retrying() else []
                )
                made = found[0] if found else await self.client.create_issue(fields)
                child = str(made["key"])
                await self.db.run(self._created, followup.id, made)
            # A later attempt may follow a link Jira made and whose answer was lost.
            there = (retrying() or done is not None) and await self._linked(child, parent.jira_key)
            if not there:
                await self.client.link(self.config.followup_link, child, parent.jira_key)
        except JiraFailed as failed:
            if failed.transient:
                raise transient(failed) from None
            if child is None:
                told = explain(self.config, failed, f"project {parent.project}", followup=True)
                action = f"create a Jira issue for the follow-up “{title}”"
            else:
                told = explain_link(self.config, failed, f"{child} or {parent.jira_key}")
                action = f"link {child} to {parent.jira_key}"
            await self.db.run(refuse, self.db, self.clock, issue.id, action, told.problem, told.fix)
            return
        await self.db.run(self._linked_to, issue.id, followup.id, parent.jira_key, title)

    async def _linked(self, child: str, parent: str) -> bool:
        assert self.client is not None and self.config is not None
        wanted = self.config.followup_link.casefold()
        for link in await self.client.links(child):
            kind = str((link.get("type") or {}).get("name") or "").casefold()
            others = [(link.get(side) or {}).get("key") for side in ("inwardIssue", "outwardIssue")]
            if kind == wanted and parent in others:
                return True
        return False

    # -- records, each one transaction ---------------------------------------
    def _state(
        self, issue_id: int | None, followup_id: int
    ) -> tuple[FollowUp, JiraIssue | None, JiraFollowUp | None] | None:
        with self.db.session() as session:
            followup = session.get(FollowUp, followup_id)
            if followup is None or followup.issue_id != issue_id:
                return None
            return followup, jira_row(session, issue_id), exported(session, followup_id)

    def _created(self, followup_id: int | None, made: dict[str, Any]) -> None:
        """The key, kept before the link is asked for: a retry links, never creates."""
        assert self.client is not None
        with self.db.session() as session:
            if exported(session, followup_id) is not None:
                return
            key = str(made["key"])
            session.add(
                JiraFollowUp(
                    followup_id=followup_id or 0,
                    jira_key=key,
                    jira_id=str(made.get("id") or ""),
                    url=self.client.browse_url(key),
                    created_at=self.clock.now(),
                )
            )

    def _linked_to(
        self, issue_id: int | None, followup_id: int | None, parent: str, title: str
    ) -> None:
        assert self.config is not None
        with self.db.session() as session:
            row = exported(session, followup_id)
            issue = session.get(Issue, issue_id)
            if row is None or issue is None or row.linked_to is not None:
                return
            row.linked_to = parent
            session.add(row)
            event = add_event(
                session, issue, JiraEvent.JIRA_FOLLOWUP, self.clock, None,
                title=title, jira_key=row.jira_key, parent=parent,
                link=self.config.followup_link,
            )  # fmt: skip
            incident_kinds.announce(session, self.clock, issue, event)
