"""Review follow-ups exported to Jira with `/incident jira followups`, against the sandbox's
Jira stand-in over HTTP: each a Jira issue linked to the parent's, once as Jira sees it
(whatever answers are lost), the parent created first when it has none, and a link type
Jira does not know named with its config key."""

from __future__ import annotations

from datetime import date

from sqlmodel import select

from bot.core.clock import FakeClock
from sandbox.jira_adf import problems as adf_problems
from storage.models import FollowUp, Issue, JiraFollowUp
from tests.helpers import channel_of, file_report, run
from tests.scenario.test_jira import (
    JiraHarness,
    channel_text,
    jira_row,
    retry_later,
    with_jira,
)


def add_followup(t: JiraHarness, issue: Issue, title: str, status: str = "open") -> FollowUp:
    with t.h.firebell.runtime.db.session() as session:
        row = FollowUp(
            issue_id=issue.id or 0,
            title=title,
            owner_id=t.sam.id,
            due_on=date(2026, 2, 1),
            status=status,
            created_at=t.h.firebell.runtime.clock.now(),
        )
        session.add(row)
        session.flush()
        session.refresh(row)
        return row


def exported(t: JiraHarness) -> dict[int, JiraFollowUp]:
    with t.h.firebell.runtime.db.session() as session:
        return {r.followup_id: r for r in session.exec(select(JiraFollowUp))}


def links(t: JiraHarness) -> list[tuple[str, str, str]]:
    return [(link["type"], link["inward"], link["outward"]) for link in t.jira.links]


async def test_open_followups_become_jira_issues_linked_to_the_parent(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")  # OPS-1
        canary = add_followup(t, issue, "Add a canary <!channel> for config pushes")
        alerts = add_followup(t, issue, "Alert on 502 rate")
        add_followup(t, issue, "Already finished", status="done")
        channel = channel_of(t.h, issue)
        said = await run(t.h, t.sam, channel, "jira followups")
        assert "Exporting 2 follow-ups to Jira, each linked to OPS-1 (Relates)" in said
        child = t.jira.issues["OPS-2"].fields
        assert child["summary"] == canary.title
        assert adf_problems(child["description"]) == []
        assert "INC-1" in str(child["description"]) and "2026-02-01" in str(child["description"])
        assert child["issuetype"] == {"name": "Bug"}
        assert child["customfield_10551"] == "checkout-api"  # the fields mapping, from INC-1
        # Its own marker, never the parent's (the parent's create searches for that one).
        assert set(child["labels"]) == {"incident", f"firebell-followup-{canary.id}"}
        assert links(t) == [("Relates", "OPS-2", "OPS-1"), ("Relates", "OPS-3", "OPS-1")]
        rows = exported(t)
        assert (rows[canary.id or 0].jira_key, rows[canary.id or 0].linked_to) == ("OPS-2", "OPS-1")
        assert rows[alerts.id or 0].jira_key == "OPS-3"
        text = channel_text(t.h, issue)
        assert "is Jira issue OPS-2, linked to OPS-1 (Relates)" in text
        assert "<!channel>" not in text  # the title is text, never a ping
        again = await run(t.h, t.sam, channel, "jira followups")
        assert "Already in Jira" in again and "OPS-2" in again and "OPS-3" in again
        assert len(t.jira.created()) == 3 and len(t.jira.links) == 2
        listing = await run(t.h, t.sam, channel, "followups")
        assert f"{t.jira.url}/browse/OPS-2|OPS-2" in listing


async def test_an_issue_without_a_jira_issue_gets_one_first(
    database_url: str, clock: FakeClock
) -> None:
    fields = {"followup_issue_type": "Task", "followup_fields": {}}
    async with with_jira(database_url, clock, **fields) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="minor")  # no Jira issue
        add_followup(t, issue, "Write the runbook")
        said = await run(t.h, t.sam, channel_of(t.h, issue), f"jira followups {issue.key}")
        assert f"{issue.key} has no Jira issue yet: creating it in OPS first" in said
        parent = jira_row(t.h, issue)
        assert parent is not None and parent.jira_key == "OPS-1"
        assert t.jira.issues["OPS-1"].fields["summary"].startswith(f"{issue.key}: ")
        child = t.jira.issues["OPS-2"].fields
        assert child["issuetype"] == {"name": "Task"} and "customfield_10551" not in child
        assert links(t) == [("Relates", "OPS-2", "OPS-1")]


async def test_nothing_open_and_bad_words_are_answered(database_url: str, clock: FakeClock) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="minor")
        channel = channel_of(t.h, issue)
        assert "has no open follow-ups" in await run(t.h, t.sam, channel, "jira followups")
        said = await run(t.h, t.sam, channel, "jira followups OPS")
        assert "`followups` takes only an issue key" in said and "Usage" in said
        assert t.jira.created() == []


async def test_a_link_type_jira_does_not_know_is_named_with_its_config_key(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock, followup_link="Relates to") as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        followup = add_followup(t, issue, "Alert on 502 rate")
        await run(t.h, t.sam, channel_of(t.h, issue), "jira followups")
        said = channel_text(t.h, issue)
        assert "No issue link type with name 'Relates to' found" in said
        assert "jira.followup_link" in said
        row = exported(t)[followup.id or 0]
        assert (row.jira_key, row.linked_to) == ("OPS-2", None)  # kept: a retry only links
        await retry_later(t.h, clock)
        assert [c[0] for c in t.jira.calls].count("link") == 1  # a refusal is not retried
        assert len(t.jira.created()) == 2


async def test_lost_answers_make_no_second_issue_and_no_second_link(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")  # OPS-1
        followup = add_followup(t, issue, "Alert on 502 rate")
        t.jira.faults.inject("create", "late", times=1)  # created, the answer lost
        t.jira.faults.inject("link", "late", times=1)  # linked, the answer lost
        t.jira.faults.inject("search", "server_error", status=503, times=1)  # then Jira is down
        await run(t.h, t.sam, channel_of(t.h, issue), "jira followups")
        assert len(t.jira.created()) == 2 and exported(t) == {}
        await retry_later(t.h, clock)  # the search: 503
        assert exported(t) == {}
        await retry_later(t.h, clock)  # found by its label; linked, the answer lost
        assert exported(t)[followup.id or 0].linked_to is None and len(t.jira.links) == 1
        await retry_later(t.h, clock)  # the link is there: not made again
        assert [i.key for i in t.jira.created()] == ["OPS-1", "OPS-2"]
        assert links(t) == [("Relates", "OPS-2", "OPS-1")]
        assert exported(t)[followup.id or 0].linked_to == "OPS-1"
