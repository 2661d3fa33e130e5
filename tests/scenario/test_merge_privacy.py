"""Merges keep private issues private: a merge into a private issue asks whether the
duplicate's reporters become members, and a private issue merged into a public one
leaves none of its words in the public one's search, summary, review or timeline."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.incidents.gather import gather_facts
from sandbox.workspace import Message, User
from storage.models import Issue
from tests.helpers import channel_of, file_another, fresh, issues, people, run

SECRET = "Secret acquisition of Initech"
PUBLIC_TOKEN = "public-token-0123456789"
CONFIG = FirebellConfig.model_validate({"api": {"tokens": {"grafana": {"token": PUBLIC_TOKEN}}}})


@pytest.fixture
async def hp(database_url: str, clock: FakeClock) -> AsyncIterator[Harness]:
    async with running(database_url, clock=clock, config=CONFIG) as h:
        yield h


async def merge_asking(h: Harness, user: User, text: str) -> Message:
    """Run a merge that asks first; the question, as a message its buttons are on."""
    channel = next(c for c in h.ws.channels.values() if c.name == "support")
    reply = await h.driver.slash_command(user, channel, text)
    assert reply.status == 200, reply
    blocks = reply.json.get("blocks")
    assert blocks, reply.text  # a question, not a merge
    return Message(channel.id, "1.000001", h.ws.bot.id, reply.text, blocks, ephemeral_to=user.id)


async def olga_and_dana(h: Harness) -> tuple[User, User, User]:
    """Olga files public INC-1; Dana files and leads private INC-2."""
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    await file_another(h, olga, support, title="Export button greyed out")
    secret = await file_another(h, dana, support, title=SECRET, private=["private"])
    assert await run(h, dana, channel_of(h, secret), "ack") == "You acknowledged INC-2."
    return olga, dana, sam


def numbered(h: Harness, number: int) -> Issue:
    return next(i for i in issues(h.firebell.runtime.db) if i.number == number)


def dms_of(h: Harness, user: User) -> list[str]:
    return [m.text + str(m.blocks or "") for m in h.ws.dms_to(user.id)]


async def test_merging_into_a_private_issue_can_keep_its_reporters_out(hp: Harness) -> None:
    h = hp
    olga, dana, _ = await olga_and_dana(h)
    db = h.firebell.runtime.db
    question = await merge_asking(h, dana, "merge INC-1 into INC-2")
    assert "*INC-2* is private" in question.text + str(question.blocks)
    assert f"<@{olga.id}>" in str(question.blocks)
    first = numbered(h, 1)
    assert first.merged_into_id is None  # nothing is merged until Dana answers

    reply = await h.driver.press(dana, question, "merge_keep_reporters_out")
    assert reply.status == 200
    await h.firebell.settle()
    assert fresh(db, first).merged_into_id == numbered(h, 2).id
    assert "INC-1 is merged into INC-2." in h.ws.ephemerals_to(dana.id)
    told = dms_of(h, olga)[-1]
    assert "merged into another issue that is handled privately" in told
    assert "INC-2" not in told and "Initech" not in told

    room = channel_of(h, numbered(h, 2))
    before = len(dms_of(h, olga))
    await run(h, dana, room, "status revise")
    await run(h, dana, room, "update Lawyers are reviewing the term sheet")
    await h.firebell.settle()
    assert len(dms_of(h, olga)) == before  # INC-2's news is not hers
    assert not [dm for dm in dms_of(h, olga) if "Initech" in dm]
    assert olga.id not in room.members
    assert "private" in await run(h, olga, room, "show INC-2")


async def test_merging_into_a_private_issue_can_make_its_reporters_members(hp: Harness) -> None:
    h = hp
    olga, dana, _ = await olga_and_dana(h)
    question = await merge_asking(h, dana, "merge INC-1 into INC-2")
    await h.driver.press(dana, question, "merge_add_reporters")
    await h.firebell.settle()
    room = channel_of(h, numbered(h, 2))
    assert olga.id in room.members  # invited: she was made a member on purpose
    assert "Your report INC-1 is the same problem as *INC-2*" in dms_of(h, olga)[-1]
    await run(h, dana, room, "status revise")
    await h.firebell.settle()
    assert "Initech" in dms_of(h, olga)[-1]
    assert SECRET in await run(h, olga, room, "show INC-2")


async def test_a_forged_answer_cannot_merge_into_a_private_issue(hp: Harness) -> None:
    h = hp
    _, dana, sam = await olga_and_dana(h)
    question = await merge_asking(h, dana, "merge INC-1 into INC-2")
    await h.driver.press(sam, question, "merge_add_reporters")  # not a member of INC-2
    await h.firebell.settle()
    assert fresh(h.firebell.runtime.db, numbered(h, 1)).merged_into_id is None
    assert "INC-2 is private: only its members can see it." in h.ws.ephemerals_to(sam.id)


async def test_a_private_issue_merged_into_a_public_one_leaves_no_words_there(
    hp: Harness,
) -> None:
    h = hp
    dana, sam, support = people(h)
    await file_another(
        h,
        dana,
        support,
        title="Quokka payroll export",
        description="The quokka report lists every salary.",
        private=["private"],
    )
    public = await file_another(h, dana, support, title="Export is slow")
    room = channel_of(h, public)
    assert await run(h, dana, room, "ack") == "You acknowledged INC-2."
    assert await run(h, dana, room, "merge INC-1 into INC-2") == "INC-1 is merged into INC-2."
    await h.firebell.settle()

    assert "INC-2" not in await run(h, sam, support, "search quokka")
    headers = {"Authorization": f"Bearer {PUBLIC_TOKEN}"}
    async with (
        aiohttp.ClientSession() as http,
        http.get(h.bot_url + "/api/v1/issues?q=quokka", headers=headers) as answer,
    ):
        assert answer.status == 200 and (await answer.json())["issues"] == []
    assert "uokka" not in await run(h, sam, room, "timeline INC-2")
    await run(h, sam, room, "summary INC-2")
    await h.firebell.settle()
    summary = [str(r) for r in h.ws.responses if r.get("user") == sam.id]
    assert summary and not [s for s in summary if "uokka" in s]
    # What a summary or a review is told from (and what a model would be sent).
    with h.firebell.runtime.db.session() as session:
        facts = gather_facts(session, fresh(h.firebell.runtime.db, public), [])
        assert "merged INC-1 into this issue" in str(facts)
        assert "uokka" not in str(facts).lower()


def _issue(h: Harness, number: int):  # type: ignore[no-untyped-def]
    from tests.helpers import issues

    return next(i for i in issues(h.firebell.runtime.db) if i.number == number)
