"""Screenshots and logs from Slack: the report modal's file input, and the files of a
message filed with *File an issue*, copied once into the issue's channel."""

from __future__ import annotations

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.driver import Upload
from sandbox.workspace import Channel, User
from tests.helpers import (
    GOOD_REPORT,
    IMPATIENT,
    channel_of,
    file_from_message,
    issues,
    new_view,
    only_issue,
    open_modal,
    pending_outbox,
    people,
    timeline_kinds,
)

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40
LOG = b"2026-03-02T09:30:00Z ERROR checkout: upstream 502\n" * 50


def shared_in(h: Harness, channel: Channel) -> list[dict[str, object]]:
    """The files shared in a channel, oldest first: what its members can open."""
    return [f for f in h.ws.files.values() if channel.id in f["channels"]]


async def file_with_uploads(h: Harness, user: User, where: Channel, *uploads: Upload) -> None:
    view = await open_modal(h, user, where)
    reply = await h.driver.submit_view(user, view, {**GOOD_REPORT, "files": list(uploads)})
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()


async def test_a_screenshot_from_the_modal_is_shared_in_the_issue_channel_once(
    h: Harness,
) -> None:
    dana, _, support = people(h)
    await file_with_uploads(h, dana, support, Upload("checkout.png", PNG))
    issue = only_issue(h.firebell.runtime.db)
    shared = shared_in(h, channel_of(h, issue))
    assert [(f["name"], f["content"]) for f in shared] == [("checkout.png", PNG)]
    assert str(shared[0]["title"]).startswith(f"{issue.key} attachment ")
    kinds = timeline_kinds(h.firebell.runtime.db, issue)
    assert kinds.count("attached") == 1 and "not_attached" not in kinds
    # Fetched with the bot's token from the private download URL, once.
    assert [c.status for c in h.ws.calls_to("files.download")] == [200]
    assert pending_outbox(h.firebell.runtime.db) == []


async def test_the_modal_offers_a_file_input_for_the_allowed_types(h: Harness) -> None:
    dana, _, support = people(h)
    view = await open_modal(h, dana, support)
    block = next(b for b in view.view["blocks"] if b.get("block_id") == "files")
    assert block["optional"] is True and block["element"]["type"] == "file_input"
    assert {"png", "jpg", "txt", "har", "pdf"} <= set(block["element"]["filetypes"])
    assert "up to 10.0 MB" in block["hint"]["text"]


SMALL = FirebellConfig.model_validate(
    {"intake": {"max_upload_mb": 1, "allowed_types": ["image/png", "text/plain"]}}
)


@pytest.mark.parametrize(
    ("upload", "said"),
    [
        (Upload("dump.zip", b"PK\x03\x04" + b"\0" * 100), "application/zip, which is not taken"),
        (Upload("huge.png", PNG * 200), "over the 1.0 MB limit"),
    ],
    ids=["type", "size"],
)
async def test_a_file_that_does_not_fit_is_an_inline_error_and_nothing_is_filed(
    database_url: str, clock: FakeClock, upload: Upload, said: str
) -> None:
    async with running(database_url, clock=clock, config=SMALL) as h:
        dana, _, support = people(h)
        view = await open_modal(h, dana, support)
        answers = {**GOOD_REPORT, "title": "", "files": [Upload("ok.png", PNG), upload]}
        reply = await h.driver.submit_view(dana, view, answers)
        assert reply.status == 200 and reply.json["response_action"] == "errors"
        errors = reply.json["errors"]
        # One round shows every problem: the missing title and the file.
        assert set(errors) == {"title", "files"}
        assert f"{upload.name}: it is" in errors["files"] and said in errors["files"]
        assert "ok.png" not in errors["files"]  # the good file is not blamed
        assert "Attach .png, .txt, .log, .text files up to 1.0 MB each." in errors["files"]
        assert not view.closed
        await h.firebell.settle()
        assert issues(h.firebell.runtime.db) == []
        assert h.ws.calls_to("files.info") == []


async def test_a_messages_files_come_with_file_an_issue(h: Harness) -> None:
    dana, _, support = people(h)
    shot = h.ws.add_file(dana, "checkout.png", PNG)
    log = h.ws.add_file(dana, "pay.log", LOG, mimetype="text/plain")
    video = h.ws.add_file(dana, "screen.mov", b"\0\0\0\x14ftypqt  " * 10)
    message = h.ws.post_files(support, dana, "Checkout is broken, see these", shot, log, video)
    seen = set(h.ws.views)
    await h.driver.message_shortcut(dana, message)
    modal = await new_view(h, dana, seen)
    notice = " ".join(
        e["text"] for b in modal.view["blocks"] if b["type"] == "context" for e in b["elements"]
    )
    assert "come along: checkout.png, pay.log" in notice
    assert "Not attached: screen.mov (it is video/quicktime, which is not taken)" in notice
    answers = {k: v for k, v in GOOD_REPORT.items() if k != "description"}
    reply = await h.driver.submit_view(dana, modal, answers)
    assert reply.status == 200 and not reply.json, reply
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    shared = shared_in(h, channel_of(h, issue))
    assert sorted((f["name"], f["content"]) for f in shared) == [
        ("checkout.png", PNG),
        ("pay.log", LOG),
    ]
    kinds = timeline_kinds(h.firebell.runtime.db, issue)
    assert kinds.count("attached") == 2 and kinds.count("not_attached") == 1
    # The reporter is told which file stayed behind, and why.
    confirmation = next(m.text for m in h.ws.dms_to(dana.id) if "filed as" in m.text)
    assert "Not attached: screen.mov (it is video/quicktime, which is not taken)." in confirmation
    assert pending_outbox(h.firebell.runtime.db) == []


@pytest.mark.slack_timeout(IMPATIENT)
async def test_an_upload_slack_answered_late_is_not_posted_twice(
    h: Harness, clock: FakeClock
) -> None:
    dana, _, support = people(h)
    h.sandbox.faults.inject("files.completeUploadExternal", "late", times=1)
    await file_with_uploads(h, dana, support, Upload("checkout.png", PNG))
    performed = [c for c in h.ws.calls_to("files.completeUploadExternal") if c.ok]
    assert len(performed) == 1 and performed[0].late  # Slack shared it; the answer was lost
    h.sandbox.faults.clear()
    clock.advance(minutes=1)  # past the backoff: the item is tried again
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    shared = shared_in(h, channel_of(h, issue))
    assert [(f["name"], f["content"]) for f in shared] == [("checkout.png", PNG)]
    assert len([c for c in h.ws.calls_to("files.completeUploadExternal") if c.ok]) == 1
    assert pending_outbox(h.firebell.runtime.db) == []


async def test_a_file_deleted_in_slack_before_delivery_is_said_once_not_retried(
    h: Harness, clock: FakeClock
) -> None:
    dana, _, support = people(h)
    shot = h.ws.add_file(dana, "checkout.png", PNG)
    message = h.ws.post_files(support, dana, "Checkout is broken", shot)
    seen = set(h.ws.views)
    await h.driver.message_shortcut(dana, message)
    modal = await new_view(h, dana, seen)
    h.ws.delete_file(shot)  # deleted while the reporter fills in the form
    answers = {k: v for k, v in GOOD_REPORT.items() if k != "description"}
    assert (await h.driver.submit_view(dana, modal, answers)).status == 200
    await h.firebell.settle()
    clock.advance(hours=1)  # a retry would be due long before this
    await h.firebell.settle()
    issue = only_issue(h.firebell.runtime.db)
    room = channel_of(h, issue)
    assert shared_in(h, room) == []
    lines = [m.text for m in h.ws.messages_in(room.id) if "could not be attached" in m.text]
    assert lines == [
        ":warning: checkout.png could not be attached: "
        "it was deleted in Slack before it could be copied here."
    ]
    assert timeline_kinds(h.firebell.runtime.db, issue).count("not_attached") == 1
    assert [c.error for c in h.ws.calls_to("files.info")] == ["file_deleted"]
    assert pending_outbox(h.firebell.runtime.db) == []


async def test_file_an_issue_without_files_still_files(h: Harness) -> None:
    dana, _, support = people(h)
    message = h.ws.post(support, dana, "Checkout is broken")
    await file_from_message(h, dana, message, title="Checkout broken", type="bug", severity="minor")
    issue = only_issue(h.firebell.runtime.db)
    assert shared_in(h, channel_of(h, issue)) == []
    assert "attached" not in timeline_kinds(h.firebell.runtime.db, issue)


async def test_a_private_download_needs_the_bots_token(h: Harness) -> None:
    dana, _, support = people(h)
    shared = h.ws.add_file(dana, "checkout.png", PNG)
    h.ws.post_files(support, dana, "see", shared)
    hidden = h.ws.add_file(dana, "mine.png", PNG)  # uploaded, shared nowhere
    info = h.sandbox.api.files_info({"file": shared})["file"]  # type: ignore[union-attr]
    url = info["url_private_download"]
    assert info["url_private"] != url and info["mimetype"] == "image/png"
    bearer = {"Authorization": f"Bearer {h.ws.bot_token}"}
    async with aiohttp.ClientSession() as http:

        async def status(link: str, headers: dict[str, str] | None = None) -> int:
            async with http.get(link, headers=headers or {}) as response:
                if response.status == 200:
                    assert await response.read() == PNG
                return response.status

        assert await status(url) == 401
        assert await status(url, {"Authorization": "Bearer xoxb-wrong"}) == 401
        assert await status(url, bearer) == 200
        assert await status(info["url_private"], bearer) == 200
        assert await status(url.replace(shared, hidden), bearer) == 403
        h.ws.delete_file(shared)
        assert await status(url, bearer) == 404
