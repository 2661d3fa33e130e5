"""Filing issues through Slack: the slash command, both shortcuts and the modal."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy.exc import OperationalError

from bot.demo.harness import Harness, running
from tests.helpers import (
    GOOD_REPORT,
    file_from_message,
    file_report,
    issues,
    only_issue,
    open_modal,
    people,
    timeline_kinds,
)


async def test_slash_command_files_an_issue_with_channel_card_and_dm(h: Harness) -> None:
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support)

    assert issue.key == "INC-1"
    assert (issue.title, issue.type, issue.severity, issue.priority) == (
        "Checkout fails with 502",
        "outage",
        "critical",
        "high",
    )
    assert issue.users_affected == 120 and issue.trace_id == GOOD_REPORT["trace_id"]
    assert issue.stack_trace and "TimeoutError" in issue.stack_trace
    channel = h.ws.channel_named("inc-1-checkout-fails-with-502")
    assert channel is not None and not channel.is_private
    assert channel.id == issue.channel_id and dana.id in channel.members
    card = h.ws.messages_in(channel.id)[0]
    assert card.ts in channel.pins and card.ts == issue.card_ts
    card_text = str(card.blocks)
    assert "INC-1: Checkout fails with 502" in card_text and "Critical" in card_text
    assert "High" in card_text and "checkout-api" in card_text
    dm = h.ws.dms_to(dana.id)
    assert len(dm) == 1 and "INC-1" in dm[0].text and f"<#{channel.id}>" in dm[0].text
    assert timeline_kinds(h.firebell.runtime.db, issue) == [
        "filed",
        "phase_started",
        "channel_created",
        "participant_invited",
        "card_posted",
        "card_pinned",
        "reporter_notified",
    ]
    checklist = h.ws.messages_in(channel.id)[1]
    assert "Detection checklist · INC-1" in str(
        checklist.blocks
    )  # outage, critical: outage playbook
    assert "Confirm the outage on dashboards" in str(checklist.blocks)


async def test_new_with_title_prefills_the_modal(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support, "new Login page is blank")
    title = next(b for b in view.view["blocks"] if b["block_id"] == "title")
    assert title["element"]["initial_value"] == "Login page is blank"


async def test_help_and_unknown_subcommands_answer_ephemerally(h: Harness) -> None:
    dana, _, support = people(h)
    reply = await h.driver.slash_command(dana, support, "help")
    assert "/incident new [title]" in reply.text
    reply = await h.driver.slash_command(dana, support, "frobnicate now")
    assert "I don't know `/incident frobnicate`" in reply.text
    assert "`/incident help` lists every command" in reply.text
    assert reply.json.get("response_type", "ephemeral") == "ephemeral"
    reply = await h.driver.slash_command(dana, support, "lst mine")
    assert "I don't know `/incident lst`. Did you mean `list`?" in reply.text
    assert "`/incident list [open|mine|all]`" in reply.text
    assert "/incident new [title]" not in reply.text  # a short answer, not the whole help
    assert reply.json.get("response_type", "ephemeral") == "ephemeral"
    assert h.ws.views == {}


async def test_overlong_title_in_command_says_what_would_work(h: Harness) -> None:
    dana, _, support = people(h)
    reply = await h.driver.slash_command(dana, support, "new " + "x" * 151)
    assert "151 characters; keep it to 150" in reply.text
    assert h.ws.views == {}


async def test_message_shortcut_prefills_and_replies_in_the_source_thread(h: Harness) -> None:
    dana, _, support = people(h)
    customer = h.ws.add_user("casey", "Casey")
    message = h.ws.post(support, customer, "The app crashes when I upload a photo")
    await h.driver.message_shortcut(dana, message)
    view = await h.ws.wait_for(lambda: next(iter(h.ws.open_views_of(dana.id)), None))
    description = next(b for b in view.view["blocks"] if b.get("block_id") == "description")
    assert description["element"]["initial_value"] == "The app crashes when I upload a photo"
    assert "a message in #support" in str(view.view["blocks"][0])

    reply = await h.driver.submit_view(
        dana, view, {"title": "Photo upload crash", "type": "bug", "severity": "major"}
    )
    assert reply.json == {}
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    assert issue.reporter_id == dana.id
    assert issue.description == "The app crashes when I upload a photo"
    assert issue.source_channel_id == support.id and issue.source_message_ts == message.ts
    assert issue.source_permalink and message.ts.replace(".", "") in issue.source_permalink
    thread = [m for m in h.ws.messages_in(support.id) if m.thread_ts == message.ts]
    assert len(thread) == 1 and "Filed as *INC-1*" in thread[0].text
    assert "source_replied" in timeline_kinds(h.firebell.runtime.db, issue)


async def test_global_shortcut_opens_an_empty_form(h: Harness) -> None:
    dana, _, _ = people(h)
    await h.driver.global_shortcut(dana)
    view = await h.ws.wait_for(lambda: next(iter(h.ws.open_views_of(dana.id)), None))
    assert view.view["title"]["text"] == "Report an issue"
    assert all("initial_value" not in b.get("element", {}) for b in view.view["blocks"])


async def test_every_bad_field_gets_its_inline_error_and_nothing_is_stored(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    reply = await h.driver.submit_view(
        dana,
        view,
        {
            "title": "   ",
            "type": None,
            "severity": "apocalyptic",
            "priority": "urgent",
            "trace_id": "abc def",
            "users_affected": "about a hundred",
        },
    )
    assert reply.json["response_action"] == "errors"
    errors = reply.json["errors"]
    assert set(errors) == {"title", "type", "severity", "priority", "trace_id", "users_affected"}
    assert "short title" in errors["title"]
    assert errors["type"] == "Choose one."
    assert "Trivial, Minor, Major, Critical" in errors["severity"]
    assert "whole number" in errors["users_affected"]
    assert "no spaces" in errors["trace_id"]
    assert issues(h.firebell.runtime.db) == []
    assert not view.closed  # the person's answers stay in the open modal


async def test_too_long_fields_are_refused_inline(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    reply = await h.driver.submit_view(
        dana, view, {**GOOD_REPORT, "title": "t" * 151, "service": "s" * 81}
    )
    assert reply.json["errors"]["title"] == "Keep this to 150 characters or fewer (it has 151)."
    assert "80 characters" in reply.json["errors"]["service"]
    assert issues(h.firebell.runtime.db) == []


async def test_double_submit_makes_one_issue_one_channel_one_card(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    replies = await asyncio.gather(
        h.driver.submit_view(dana, view, GOOD_REPORT), h.driver.submit_view(dana, view, GOOD_REPORT)
    )
    assert all(r.status == 200 for r in replies)
    await h.driver.submit_view(dana, view, GOOD_REPORT)  # a third, late retry
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    incident_channels = [c for c in h.ws.channels.values() if c.name.startswith("inc-")]
    assert [c.id for c in incident_channels] == [issue.channel_id]
    assert len(h.ws.messages_in(issue.channel_id or "")) == 2  # the card and one checklist
    assert len(h.ws.dms_to(dana.id)) == 1


async def test_private_issue_gets_a_private_channel(h: Harness) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support, type="security", private=["private"])
    assert issue.private
    channel = h.ws.channels[issue.channel_id or ""]
    assert channel.is_private and channel.members == {h.ws.bot.id, dana.id}
    assert sam.id not in channel.members


async def test_channel_name_collision_takes_a_numbered_suffix(h: Harness) -> None:
    dana, _, support = people(h)
    h.ws.add_channel("inc-1-checkout-fails-with-502")
    h.ws.add_channel("inc-1-checkout-fails-with-502-2")
    issue = await file_report(h, dana, support)
    assert issue.channel_name == "inc-1-checkout-fails-with-502-3"
    assert h.ws.channel_named("inc-1-checkout-fails-with-502-3") is not None


async def test_concurrent_reports_get_distinct_gap_free_keys(h: Harness) -> None:
    dana, _, support = people(h)
    views = [await open_modal(h, dana, support) for _ in range(8)]
    await asyncio.gather(
        *(
            h.driver.submit_view(dana, v, {**GOOD_REPORT, "title": f"Issue {i}"})
            for i, v in enumerate(views)
        )
    )
    await h.firebell.settle()
    filed = issues(h.firebell.runtime.db)
    assert [i.number for i in filed] == list(range(1, 9))
    assert len({i.channel_id for i in filed}) == 8


async def test_bot_outside_a_public_source_channel_joins_to_reply(h: Harness) -> None:
    dana, _, _ = people(h)
    lobby = h.ws.add_channel("lobby", dana)  # the bot is not a member
    message = h.ws.post(lobby, dana, "Search returns nothing")
    await file_from_message(h, dana, message, title="Search empty", type="bug", severity="minor")
    assert h.ws.bot.id in lobby.members
    assert any(m.thread_ts == message.ts for m in h.ws.messages_in(lobby.id))


async def test_private_source_channel_skips_the_thread_reply_but_files(h: Harness) -> None:
    dana, _, _ = people(h)
    secret = h.ws.add_channel("secret-ops", dana, private=True)  # the bot cannot see it
    message = h.ws.post(secret, dana, "Something odd in the admin panel")
    await file_from_message(h, dana, message, title="Admin odd", type="bug", severity="minor")
    issue = only_issue(h.firebell.runtime.db)
    assert issue.channel_id and issue.card_ts
    assert "source_reply_skipped" in timeline_kinds(h.firebell.runtime.db, issue)
    assert not h.ws.messages_in(secret.id)[1:]


async def test_mention_answers_once_despite_slack_retries(h: Harness) -> None:
    dana, _, support = people(h)
    event = h.driver.mention(dana, support, "help")
    for retry in (0, 1, 2):
        reply = await h.driver.event(event, retry_num=retry)
        assert reply.status == 200
    await h.ws.wait_for(lambda: any(m.thread_ts for m in h.ws.messages_in(support.id)))
    replies = [m for m in h.ws.messages_in(support.id) if m.user == h.ws.bot.id]
    assert len(replies) == 1 and "Firebell commands" in replies[0].text


async def test_a_form_slack_would_not_open_is_explained_to_the_user(database_url: str) -> None:
    from sandbox import Sandbox, Workspace

    sandbox = await Sandbox(Workspace(trigger_ttl=0)).start()  # every trigger is already stale
    try:
        async with running(database_url, sandbox=sandbox) as h:
            dana, _, support = people(h)
            reply = await h.driver.slash_command(dana, support, "new Too slow")
            assert reply.status == 200
            await h.firebell.settle()
            assert h.ws.calls_to("views.open")[0].error == "expired_trigger_id"
            assert h.ws.ephemerals_to(dana.id) == [
                "Slack took too long to open the form. Please run the command again."
            ]
    finally:
        await sandbox.stop()


async def test_a_storage_failure_keeps_the_form_open_with_an_error_id(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(*_args: object, **_kwargs: object) -> None:
        raise OperationalError("INSERT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(h.firebell.runtime.filing, "file", broken)
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    reply = await h.driver.submit_view(dana, view, GOOD_REPORT)
    message = reply.json["errors"]["title"]
    assert message.startswith("Firebell could not save this (error id E")
    assert "Your answers are kept" in message and "Traceback" not in message
    error_id = message.split("error id ")[1].split(")")[0]
    assert any(error_id in r.getMessage() for r in caplog.records)
    assert not view.closed and issues(h.firebell.runtime.db) == []
