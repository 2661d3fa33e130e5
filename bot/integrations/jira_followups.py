"""Review follow-ups as Jira issues: `/incident jira followups` queues one outbox item per
open follow-up not yet in Jira (bot/integrations/jira_followup_delivery.py), and the
follow-ups listing shows each one's Jira key.

The follow-ups come from the reviews slice through the handler (a peer slice is never
imported here). An issue without a Jira issue gets one first, on the same ordered
stream, so one command does both; if Jira refuses the parent, each follow-up says so in
the channel and waits for the command to be run again."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import col, select

from bot.core.blocks import escape
from bot.core.clock import Clock
from bot.core.errors import FirebellError
from bot.integrations.jira_config import JiraConfig
from bot.integrations.jira_kinds import (
    CreateJiraIssue,
    ExportFollowUp,
    JiraKind,
    create_pending,
    pending,
    send,
)
from bot.integrations.jira_records import jira_row
from storage.db import Database
from storage.models import FollowUp, Issue, JiraFollowUp


class JiraFollowUps:
    def __init__(self, db: Database, clock: Clock, config: JiraConfig | None) -> None:
        self.db = db
        self.clock = clock
        self.config = config

    def export(self, issue_id: int, user_id: str, followups: Sequence[FollowUp]) -> str:
        """`/incident jira followups`: what the person is told. `followups`: the issue's
        open follow-ups, as the reviews slice lists them."""
        if self.config is None:
            raise FirebellError("Jira is not set up: add a `jira` section to firebell.yml.")
        with self.db.session() as session:
            issue = session.get(Issue, issue_id)
            assert issue is not None
            if not followups:
                return f"{issue.key} has no open follow-ups (they come from its published review)."
            ids = [f.id for f in followups]
            rows = session.exec(select(JiraFollowUp).where(col(JiraFollowUp.followup_id).in_(ids)))
            there = {row.followup_id: row for row in rows if row.linked_to is not None}
            queued = {
                item.payload.get("followup_id")
                for item in pending(session, issue, JiraKind.FOLLOWUP)
            }
            new = [f for f in followups if f.id not in there and f.id not in queued]
            parent = jira_row(session, issue_id)
            said = []
            if new and parent is None and not create_pending(session, issue):
                send(session, self.clock, issue, CreateJiraIssue(self.config.project, user_id))
                project = self.config.project
                said.append(f"{issue.key} has no Jira issue yet: creating it in {project} first.")
            for followup in new:
                send(session, self.clock, issue, ExportFollowUp(followup.id or 0, user_id))
            to = parent.jira_key if parent is not None else "it"
            if new:
                said.append(
                    f"Exporting {_count(len(new))} to Jira, each linked to {to} "
                    f"({escape(self.config.followup_link)}); "
                    "their keys will show in `/incident followups`."
                )
            if there:
                shown = ", ".join(f"<{row.url}|{row.jira_key}>" for row in there.values())
                said.append(f"Already in Jira: {shown}.")
            if queued & set(ids):
                said.append(f"{_count(len(queued & set(ids)))} already on the way.")
            return " ".join(said)

    def keys(self, followup_ids: Sequence[int]) -> dict[int, str]:
        """Each exported follow-up's Jira key as a Slack link, for the follow-ups listing."""
        with self.db.session() as session:
            rows = session.exec(
                select(JiraFollowUp).where(col(JiraFollowUp.followup_id).in_(list(followup_ids)))
            )
            return {row.followup_id: f"<{row.url}|{row.jira_key}>" for row in rows}


def _count(n: int) -> str:
    return f"{n} follow-up" + ("" if n == 1 else "s")
