"""Every button, pressed with values Firebell never sent: random text, other people's
issues, a private issue the presser is not in, huge and non-ASCII numbers. Each is
answered in words (no ERROR, no traceback) and no issue the presser may not see
changes: buttons re-check visibility on the server, as commands do."""

from __future__ import annotations

import logging
import random
import string
from typing import Any

import pytest
from sqlmodel import Session, col, select

from bot import handlers
from bot.core.ids import Action
from bot.demo.harness import Harness
from sandbox.workspace import Message
from storage.models import (
    DuplicateSuggestion,
    FollowUp,
    Issue,
    OutboxItem,
    Participant,
    TimelineEvent,
)
from tests.helpers import channel_of, file_another, people, run

# Pressed on every button: the values of issue 19's report.
REPORTED = ["1:²", "1:999999999999", "1:1"]
# Two of these on each button (seeded), so all are pressed and the run stays short.
HOSTILE = ["²", "١٢", "99999999999999", "1:١٢", "0", "-1", "", ":", "1:", " 1", "1e3", "2:2"]
SEED = 19


def registered_buttons() -> dict[str, Any]:
    return {
        action.value: button
        for module in handlers.DOMAINS
        for action, button in getattr(module, "BUTTONS", {}).items()
    }


def snapshot(session: Session, issue_id: int) -> dict[str, Any]:
    """Everything stored about one issue that a press could change."""
    issue = session.get(Issue, issue_id)
    assert issue is not None

    def rows(model: Any, *where: Any) -> list[dict[str, Any]]:
        return [r.model_dump() for r in session.exec(select(model).where(*where))]

    return {
        "issue": issue.model_dump(),
        "events": rows(TimelineEvent, TimelineEvent.issue_id == issue_id),
        "participants": rows(Participant, Participant.issue_id == issue_id),
        "followups": rows(FollowUp, FollowUp.issue_id == issue_id),
        "outbox": rows(OutboxItem, OutboxItem.issue_id == issue_id),
        "suggestions": rows(
            DuplicateSuggestion,
            (col(DuplicateSuggestion.issue_id) == issue_id)
            | (col(DuplicateSuggestion.candidate_id) == issue_id),
        ),
        "merged_in": rows(Issue, Issue.merged_into_id == issue_id),
    }


def random_values(rng: random.Random, n: int) -> list[str]:
    alphabet = string.printable + "²³١٢٣߀०𝟘Ⅻ"
    return ["".join(rng.choices(alphabet, k=rng.randint(1, 24))) for _ in range(n)]


async def test_every_button_with_forged_values_changes_nothing_it_may_not_see(
    h: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    dana, _, support = people(h)
    mallory = h.ws.add_user("mallory", "Mallory")
    support.members.add(mallory.id)
    others = await file_another(h, dana, support, title="Checkout is slow")
    secret = await file_another(h, dana, support, title="Initech acquisition", private=["private"])
    await run(h, dana, channel_of(h, secret), "ack")
    mine = await file_another(h, mallory, support, title="Checkout is slow for me too")
    db = h.firebell.runtime.db
    with db.session() as session:
        followup = FollowUp(
            issue_id=secret.id or 0,
            title="Tell the board",
            created_at=h.firebell.runtime.clock.now(),
        )
        session.add(followup)
        session.flush()
        followup_id = followup.id
    assert secret.id is not None
    with db.session() as session:
        before = snapshot(session, secret.id)

    p, o, m = secret.id, others.id, mine.id
    aimed = [
        f"{p}",
        f"{p}:{o}",
        f"{o}:{p}",
        f"{m}:{p}",
        f"{p}:{m}",
        f"{p}:fixed",
        f"{followup_id}",
        f"{o}",
        f"{m}:{o}",
    ]
    buttons = registered_buttons()
    assert set(buttons) == {a.value for a in Action}  # every action id is a registered button
    rng = random.Random(SEED)
    where = Message(support.id, "1.000001", h.ws.bot.id, "buttons", [])
    caplog.set_level(logging.WARNING)
    presses = 0
    for action_id in sorted(buttons):
        values = [*aimed, *REPORTED, *rng.sample(HOSTILE, 2), *random_values(rng, 1)]
        for value in values:
            reply = await h.driver.click(mallory, where, action_id, value)
            assert reply.status == 200, (action_id, value, reply)
            presses += 1
        await h.firebell.settle()
    await h.firebell.settle()

    assert presses < 400  # cheap: a few seconds
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]
    assert not failures, [r.getMessage() for r in failures]
    with db.session() as session:
        assert snapshot(session, secret.id) == before
    said = " ".join(h.ws.ephemerals_to(mallory.id))
    assert "Initech" not in said and "Tell the board" not in said
    assert "INC-1 is not a duplicate of INC-1" not in said
