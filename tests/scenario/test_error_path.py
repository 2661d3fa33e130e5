"""One error path for every listener: an unexpected error reaches the user as a short
apology naming an error id that is in the log; a domain error as its own message."""

from __future__ import annotations

import re

import pytest

from bot.core.errors import FirebellError
from bot.demo.harness import Harness
from tests.helpers import channel_of, click, file_report, new_view, people, run

ERROR_ID = re.compile(r"error id `?(E[0-9A-F]{8})`?")


def logged_id(text: str, caplog: pytest.LogCaptureFixture) -> str:
    """The error id the user was shown, after checking the log holds it with the trace."""
    match = ERROR_ID.search(text)
    assert match, text
    records = [r for r in caplog.records if match[1] in r.getMessage()]
    assert records and records[0].exc_info is not None  # logged with its traceback
    assert "Traceback" not in text and "RuntimeError" not in text
    return match[1]


def broken(*_args: object, **_kwargs: object) -> None:
    raise RuntimeError("the database went away")


async def test_an_unexpected_error_in_a_command_a_button_and_a_modal(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    room.members.add(sam.id)
    lifecycle = h.firebell.runtime.lifecycle

    monkeypatch.setattr(lifecycle, "acknowledge", broken)
    reply = await run(h, sam, room, "ack")  # a command: the apology is the ephemeral answer
    assert reply.startswith("Sorry, something went wrong on Firebell's side")
    command_id = logged_id(reply, caplog)

    card = h.ws.messages_in(room.id)[0]
    await click(h, sam, card, "issue_ack")  # a button: the apology comes by response_url
    button_reply = h.ws.ephemerals_to(sam.id)[-1]
    button_id = logged_id(button_reply, caplog)
    monkeypatch.undo()

    await run(h, sam, room, "ack")
    monkeypatch.setattr(lifecycle, "post_update", broken)
    seen = set(h.ws.views)
    await click(h, sam, h.ws.messages_in(room.id)[0], "issue_post_update")
    view = await new_view(h, sam, seen)
    answer = await h.driver.submit_view(sam, view, {"update_text": "Failing over"})
    message = answer.json["errors"]["update_text"]  # a modal: inline, the form stays open
    assert message.startswith("Firebell could not save this") and "answers are kept" in message
    modal_id = logged_id(message, caplog)
    assert not view.closed
    assert len({command_id, button_id, modal_id}) == 3  # one id per failure


async def test_a_domain_error_is_shown_as_it_is_on_every_surface(
    h: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise FirebellError("INC-1 is frozen for the audit.", field="update_text")

    assert "Nobody leads INC-1 yet" in await run(h, dana, room, "severity minor")
    await run(h, sam, room, "ack")
    monkeypatch.setattr(h.firebell.runtime.lifecycle, "post_update", refuse)
    assert await run(h, sam, room, "update all good") == "INC-1 is frozen for the audit."
    seen = set(h.ws.views)
    await click(h, sam, h.ws.messages_in(room.id)[0], "issue_post_update")
    view = await new_view(h, sam, seen)
    answer = await h.driver.submit_view(sam, view, {"update_text": "all good"})
    assert answer.json == {
        "response_action": "errors",
        "errors": {"update_text": "INC-1 is frozen for the audit."},
    }


async def test_an_unexpected_error_after_the_ack_still_reaches_the_user(
    h: Harness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """Work a command hands on after its ack (drafting a review) has the same path."""
    dana, sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)

    async def model_down(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("connection reset")

    monkeypatch.setattr(h.firebell.runtime.reviews, "draft_from_channel", model_down)
    assert (await run(h, sam, room, "review")).startswith("Drafting the review of INC-1")
    later = h.ws.ephemerals_to(sam.id)[-1]
    assert later.startswith("Sorry, something went wrong on Firebell's side")
    logged_id(later, caplog)
