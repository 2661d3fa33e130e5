"""Items enqueued by the release before the slices (text rendered at enqueue) still
go out after an upgrade: nothing pending is lost."""

from __future__ import annotations

from sqlmodel import select

from bot.demo.harness import Harness
from storage.models import OutboxItem
from tests.helpers import channel_of, file_report, people


async def test_items_pending_from_before_the_upgrade_are_delivered(h: Harness) -> None:
    dana, _sam, support = people(h)
    issue = await file_report(h, dana, support)
    room = channel_of(h, issue)
    now = h.firebell.runtime.clock.now()
    old_rows = [
        ("announce", f"issue:{issue.id}", {"text": "<@U1> acknowledged INC-1."}),
        ("propose_status", f"issue:{issue.id}", {"target": "assigned", "text": "Move it?"}),
        (
            "digest",
            "digest",
            {
                "channel": support.id,
                "text": "Weekly issue review: 1 open",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "1 open"}}],
            },
        ),
    ]
    with h.firebell.runtime.db.session() as session:
        for kind, stream, payload in old_rows:
            issue_id = issue.id if stream != "digest" else None
            session.add(
                OutboxItem(
                    stream=stream,
                    kind=kind,
                    issue_id=issue_id,
                    payload=payload,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
    await h.firebell.settle()
    texts = [m.text for m in h.ws.messages_in(room.id)]
    assert "<@U1> acknowledged INC-1." in texts
    proposal = next(m for m in h.ws.messages_in(room.id) if "Move it to *Assigned*?" in m.text)
    assert "issue_move_status" in str(proposal.blocks)
    assert h.ws.messages_in(support.id)[-1].text == "Weekly issue review: 1 open"
    with h.firebell.runtime.db.session() as session:
        statuses = {r.kind: r.status for r in session.exec(select(OutboxItem))}
    assert statuses["announce"] == statuses["propose_status"] == statuses["digest"] == "done"
