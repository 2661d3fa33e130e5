"""Jira Cloud both ways, against the sandbox's Jira stand-in over HTTP: issues created by
rule and by hand (once, whatever Jira's outages), statuses kept in step without loops,
and Jira's refusals said in the issue's channel with the config key to change."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.integrations.jira_config import JiraConfig
from sandbox.jira import JiraCloud
from sandbox.jira import JiraIssue as SandboxIssue
from sandbox.jira_adf import problems as adf_problems
from sandbox.workspace import Channel, User
from storage.models import Issue, JiraIssue
from tests.helpers import bot_messages, channel_of, file_report, fresh, people, run, timeline_kinds


@dataclass
class JiraHarness:
    h: Harness
    jira: JiraCloud
    dana: User
    sam: User
    support: Channel


def jira_config(jira: JiraCloud, **changes: Any) -> FirebellConfig:
    values: dict[str, Any] = {
        "url": jira.url,
        "email": jira.email,
        "api_token": jira.api_token,
        "webhook_secret": jira.webhook_secret,
        "project": "OPS",
        "issue_type": "Bug",
        "auto": ["critical"],
        "priorities": {"critical": "Highest", "major": "High", "minor": "Medium"},
        "labels": ["incident"],
        "components": ["Backend"],
        "fields": {"customfield_10551": "{service}"},
        "transitions": {"Assigned": "In Progress", "Fixed": "Done"},
        "statuses": {"In Progress": "Assigned", "Done": "Fixed"},
        **changes,
    }
    return FirebellConfig(jira=JiraConfig(**values))


@asynccontextmanager
async def with_jira(
    database_url: str, clock: FakeClock, **changes: Any
) -> AsyncIterator[JiraHarness]:
    jira = await JiraCloud().start()
    try:
        async with running(database_url, clock=clock, config=jira_config(jira, **changes)) as h:
            jira.webhook_url = f"{h.bot_url}/webhooks/jira"
            dana, sam, support = people(h)
            yield JiraHarness(h, jira, dana, sam, support)
    finally:
        await jira.stop()


def jira_row(h: Harness, issue: Issue) -> JiraIssue | None:
    with h.firebell.runtime.db.session() as session:
        return session.exec(select(JiraIssue).where(JiraIssue.issue_id == issue.id)).first()


def channel_text(h: Harness, issue: Issue) -> str:
    return "\n".join(m.text for m in bot_messages(h, channel_of(h, issue)))


def card_text(h: Harness, issue: Issue) -> str:
    issue = fresh(h.firebell.runtime.db, issue)
    card = next(m for m in bot_messages(h, channel_of(h, issue)) if m.ts == issue.card_ts)
    return str(card.blocks)


async def retry_later(h: Harness, clock: FakeClock, seconds: float = 400) -> None:
    clock.advance(seconds=seconds)
    await h.firebell.settle()


async def test_a_critical_issue_gets_its_jira_issue_at_filing(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        [made] = t.jira.created()
        assert made.key == "OPS-1"
        fields = made.fields
        assert fields["summary"] == f"{issue.key}: Checkout fails with 502"
        assert adf_problems(fields["description"]) == []
        blocks = [n["type"] for n in fields["description"]["content"]]
        assert "codeBlock" in blocks  # the stack trace
        assert fields["priority"] == {"name": "Highest"}
        assert fields["customfield_10551"] == "checkout-api"
        assert fields["components"] == [{"name": "Backend"}]
        assert set(fields["labels"]) == {"incident", f"firebell-{issue.key}"}
        assert jira_row(t.h, issue) is not None
        assert f"{t.jira.url}/browse/OPS-1|Jira OPS-1" in card_text(t.h, issue)
        assert "Jira issue OPS-1 created in OPS by the jira.auto rule" in channel_text(t.h, issue)


async def test_a_minor_issue_gets_one_by_hand_and_only_one(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="minor")
        assert t.jira.created() == []
        channel = channel_of(t.h, issue)
        said = await run(t.h, t.sam, channel, "jira")
        assert "Creating a Jira issue in OPS" in said
        said = await run(t.h, t.sam, channel, "jira")
        assert "already has a Jira issue" in said and "OPS-1" in said
        assert [i.key for i in t.jira.created()] == ["OPS-1"]
        assert "Jira OPS-1" in card_text(t.h, issue)
        assert f"created in OPS from <@{t.sam.id}>" in channel_text(t.h, issue)


async def test_a_field_jira_refuses_is_named_with_its_config_key(
    database_url: str, clock: FakeClock
) -> None:
    fields = {"customfield_10551": "{service}", "customfield_10552": "{severity}"}
    async with with_jira(database_url, clock, fields=fields) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        assert t.jira.created() == []
        said = channel_text(t.h, issue)
        assert "Field 'customfield_10552' cannot be set" in said
        assert "jira.fields.customfield_10552" in said
        assert t.jira.count("create") == 0
        await retry_later(t.h, clock)
        assert len([c for c in t.jira.calls if c[0] == "create"]) == 1  # not retried


async def test_a_required_field_left_out_is_named_too(database_url: str, clock: FakeClock) -> None:
    async with with_jira(database_url, clock, fields={}) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        said = channel_text(t.h, issue)
        assert "Service is required" in said and "jira.fields.customfield_10551" in said


async def test_status_changes_go_to_jira_and_their_echo_changes_nothing(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        await run(t.h, t.sam, channel_of(t.h, issue), "ack")
        assert t.jira.issues["OPS-1"].status == "In Progress"
        # Jira's webhook about Firebell's own move comes back: nothing changes.
        [(status, answer)] = await t.jira.deliver_webhooks()
        assert status == 200 and answer["done"] == ["Firebell's own change"]
        assert fresh(t.h.firebell.runtime.db, issue).status == "assigned"
        assert t.jira.count("transition") == 1


async def test_a_move_in_jira_moves_the_issue_and_is_not_sent_back(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        t.jira.move("OPS-1", "In Progress")  # a person in Jira
        [(status, answer)] = await t.jira.deliver_webhooks()
        await t.h.firebell.settle()
        assert status == 200 and answer["done"] == ["moved to Assigned"]
        assert fresh(t.h.firebell.runtime.db, issue).status == "assigned"
        assert t.jira.count("transition") == 0  # not sent back to Jira
        assert t.jira.pending == []  # so no webhook comes back either: no loop
        assert "Jira moved" in channel_text(t.h, issue)


async def test_a_move_the_lifecycle_refuses_is_said_in_the_channel(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        t.jira.move("OPS-1", "Done")  # New -> Fixed is no move Firebell has
        [(_, answer)] = await t.jira.deliver_webhooks()
        await t.h.firebell.settle()
        assert answer["done"] == ["not followed"]
        assert fresh(t.h.firebell.runtime.db, issue).status == "new"
        assert "jira.statuses" in channel_text(t.h, issue)


async def test_a_transition_jira_does_not_offer(database_url: str, clock: FakeClock) -> None:
    transitions = {"Assigned": "Start work", "Fixed": "Done"}
    async with with_jira(database_url, clock, transitions=transitions) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        await run(t.h, t.sam, channel_of(t.h, issue), "ack")
        said = channel_text(t.h, issue)
        assert "no transition named “Start work”" in said
        assert "jira.transitions.Assigned" in said
        assert t.jira.issues["OPS-1"].status == "To Do"


async def test_forged_and_redelivered_webhooks_change_nothing(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        t.jira.move("OPS-1", "In Progress")
        [body] = t.jira.pending
        status, answer = await t.jira.send_webhook(body, identifier="77", secret="guessed")
        assert status == 401 and "X-Hub-Signature" in answer["detail"]
        assert fresh(t.h.firebell.runtime.db, issue).status == "new"
        assert (await t.jira.send_webhook(body, identifier="77"))[0] == 200
        assert fresh(t.h.firebell.runtime.db, issue).status == "assigned"
        # Someone moves it on in Firebell; Jira's redelivery of the old move must not undo it.
        await run(t.h, t.sam, channel_of(t.h, issue), f"assign <@{t.sam.id}>")  # sam takes it
        said = await run(t.h, t.sam, channel_of(t.h, issue), "status revise")
        assert fresh(t.h.firebell.runtime.db, issue).status == "revise", said
        status, answer = await t.jira.send_webhook(body, identifier="77")
        assert status == 200 and answer.get("duplicate") is True
        assert fresh(t.h.firebell.runtime.db, issue).status == "revise"


async def test_jira_down_for_a_while_loses_nothing_and_makes_no_duplicate(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        t.jira.faults.inject("create", "server_error", status=503, times=2)
        t.jira.faults.inject("search", "ratelimit", retry_after=120, times=1)
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        assert t.jira.created() == []  # 503
        await retry_later(t.h, clock)  # a retry searches first: 429, Retry-After 120
        searches = len([c for c in t.jira.calls if c[0] == "search"])
        await retry_later(t.h, clock, 60)
        assert len([c for c in t.jira.calls if c[0] == "search"]) == searches  # waits 120 s
        await retry_later(t.h, clock, 61)  # searched (nothing), created: 503 again
        assert t.jira.created() == []
        await retry_later(t.h, clock)
        assert [i.key for i in t.jira.created()] == ["OPS-1"]
        row = jira_row(t.h, issue)
        assert row is not None and row.jira_key == "OPS-1"


async def test_a_lost_answer_does_not_make_a_second_jira_issue(
    database_url: str, clock: FakeClock
) -> None:
    async with with_jira(database_url, clock) as t:
        t.jira.faults.inject("create", "late", times=1)  # created, the answer lost
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        assert len(t.jira.created()) == 1 and jira_row(t.h, issue) is None
        await retry_later(t.h, clock)
        assert [i.key for i in t.jira.created()] == ["OPS-1"]
        row = jira_row(t.h, issue)
        assert row is not None and row.jira_key == "OPS-1"
        assert "Jira OPS-1" in card_text(t.h, issue)


async def check_config(
    jira: JiraCloud, tmp_path: Path, fields: str, link: str = "Relates"
) -> tuple[int, str]:
    """`firebell check-config --jira` as a person runs it, the API token from the environment."""
    (tmp_path / "firebell.yml").write_text(
        "jira:\n"
        f"  url: {jira.url}\n"
        f"  email: {jira.email}\n"
        "  api_token: ${JIRA_API_TOKEN}\n"
        "  project: OPS\n"
        "  priorities: {critical: Highest}\n"
        f"  fields: {fields}\n"
        "  transitions: {Assigned: In Progress, Fixed: Resolve}\n"
        f"  followup_link: {link}\n"
    )
    env = {
        **os.environ,
        "PYTHONPATH": str(Path.cwd()),
        "FIREBELL_CONFIG": str(tmp_path / "firebell.yml"),
        "JIRA_API_TOKEN": jira.api_token,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "SLACK_APP_TOKEN": "xapp-test",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "check-config", "--jira",
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await process.communicate()
    return process.returncode or 0, out.decode()


async def test_check_config_names_what_jira_will_refuse(tmp_path: Path) -> None:
    jira = await JiraCloud().start()
    try:
        jira.issues["OPS-1"] = SandboxIssue("10001", "OPS-1", {"labels": []})
        code, said = await check_config(jira, tmp_path, '{customfield_10552: "{service}"}')
        assert code == 2, said
        assert "jira.fields.customfield_10552: Jira will refuse" in said
        assert "jira.fields.customfield_10551: Service is required" in said
        assert "jira.transitions.Fixed: no transition named “Resolve”" in said
        assert "jira.transitions.Assigned" not in said
        code, said = await check_config(jira, tmp_path, '{customfield_10551: "{service}"}')
        assert "takes every mapped field: ok" in said and "Resolve" in said
        assert "jira.followup_link: Relates: ok" in said
        code, said = await check_config(
            jira, tmp_path, '{customfield_10551: "{service}"}', link="Relates to"
        )
        assert code == 2 and "no issue link type “Relates to” (Blocks, Cloners" in said
    finally:
        await jira.stop()


@pytest.mark.parametrize(
    ("in_jira", "answers", "transitions"),
    [
        # The person's move is the one Firebell makes: Firebell finds it done and sends
        # nothing; the person's webhook then finds Firebell there already.
        ("In Progress", [["already there"]], 0),
        # The person's move is one Firebell cannot follow (Assigned -> Fixed is no move):
        # said in the channel; Firebell's own move goes to Jira once, its echo ignored.
        ("Done", [["not followed"], ["Firebell's own change"]], 1),
    ],
)
async def test_a_move_in_jira_crossing_firebells_own_move_settles_without_a_loop(
    database_url: str, clock: FakeClock, in_jira: str, answers: list[list[str]], transitions: int
) -> None:
    """A person moves the Jira issue while Firebell is moving the same issue: each side's
    webhook and transition happen once, and then nothing more goes back and forth."""
    async with with_jira(database_url, clock) as t:
        issue = await file_report(t.h, t.dana, t.support, severity="critical")
        t.jira.move("OPS-1", in_jira)  # a person in Jira; its webhook is on its way
        await run(t.h, t.sam, channel_of(t.h, issue), "ack")  # Firebell moves it too
        said = []
        for _ in range(3):  # whatever each delivery sets off is delivered in turn
            said += [answer["done"] for _status, answer in await t.jira.deliver_webhooks()]
            await t.h.firebell.settle()
        assert said == answers and t.jira.pending == []  # nothing left going back and forth
        assert t.jira.count("transition") == transitions
        assert fresh(t.h.firebell.runtime.db, issue).status == "assigned"
        assert t.jira.issues["OPS-1"].status == "In Progress"
        assert timeline_kinds(t.h.firebell.runtime.db, issue).count("status_changed") == 1
