"""Duplicate suggestions that say why, and only when they are likely right: a crash
found by its stack alone names the frame; a look-alike on the same service with
another fault gets nothing; an issue closed weeks ago is a possible regression, not a
merge."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox.workspace import User
from storage.models import Review
from tests.helpers import channel_of, file_another, people, run

CRASH = """Traceback (most recent call last):
  File "/srv/app/billing/invoices.py", line {a}, in render_invoice
    total = self.totals.for_customer(customer_id)
  File "/srv/app/billing/totals.py", line {b}, in for_customer
    return Decimal(row["amount"]) / row["units"]
ZeroDivisionError: division by zero (request {rid})"""

FIRST = {
    "title": "Invoice PDF export returns a server error",
    "description": "Exporting the March invoice as PDF shows 'Something went wrong'.",
    "service": "billing",
    "trace_id": "",
    "stack_trace": CRASH.format(a=88, b=41, rid="7f3a9c2e11"),
}
SAME_CRASH = {  # other words, other line numbers and request id: the same crash
    "title": "Crash in billing worker",
    "description": "Crashlytics reported this one overnight.",
    "service": "billing",
    "trace_id": "",
    "stack_trace": CRASH.format(a=91, b=44, rid="c0ffee1234"),
}
LOOKALIKE = {  # the same service and some shared words, another fault
    "title": "Invoice emails go out in the wrong language",
    "description": "German customers got their June invoice email in English.",
    "service": "billing",
    "trace_id": "",
    "stack_trace": "",
}
SLOW = {
    "title": "Search results take 30 seconds to load for large catalogues",
    "description": "Searching products in a catalogue of 50k items times out after 30 seconds.",
    "service": "search-api",
    "trace_id": "",
    "stack_trace": "",
}
SLOW_AGAIN = {
    "title": "Product search takes 30 seconds again on large catalogues",
    "description": "Searching a large catalogue of products times out after 30 seconds.",
    "service": "search-api",
    "trace_id": "",
    "stack_trace": "",
}


def suggestions_to(h: Harness, user: User) -> list[str]:
    return [str(m.blocks) for m in h.ws.dms_to(user.id) if "looks like" in m.text]


async def test_a_crash_reported_by_its_stack_alone_is_found_with_its_frame_as_reason(
    h: Harness, clock: FakeClock
) -> None:
    dana, _, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    await file_another(h, dana, support, **FIRST)
    clock.advance(hours=30)  # too far apart for the service and timing to say much
    await file_another(h, olga, support, **SAME_CRASH)
    [shown] = suggestions_to(h, olga)
    assert "*INC-1*" in shown and "Merge into INC-1" in shown
    assert "same stack frame `" in shown
    assert "render_invoice" in shown or "for_customer" in shown


async def test_a_lookalike_on_the_same_service_with_another_fault_gets_no_suggestion(
    h: Harness, clock: FakeClock
) -> None:
    dana, _, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    await file_another(h, dana, support, **FIRST)
    clock.advance(hours=2)
    await file_another(h, olga, support, **LOOKALIKE)
    assert suggestions_to(h, olga) == []


async def test_an_issue_closed_weeks_ago_is_a_possible_regression_not_a_merge(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    first = await file_another(h, dana, support, **SLOW)
    room = channel_of(h, first)
    for step in ("ack", "status revise", "status retest", "fixed", "close"):
        await run(h, sam, room, step)
    clock.advance(days=9 * 7)
    await file_another(h, olga, support, **SLOW_AGAIN)
    [shown] = suggestions_to(h, olga)
    assert "*INC-1*" in shown
    assert "similar, closed 9 weeks ago (possible regression)" in shown
    assert "Merge into INC-1" not in shown and "merge_duplicate" not in shown
    assert "same words: " in shown


async def test_a_closed_lookalike_comes_with_its_fix_page_and_review(
    database_url: str, clock: FakeClock
) -> None:
    base = "https://firebell.example.com"
    async with running(database_url, clock=clock, firebell_base_url=base) as h:
        dana, sam, support = people(h)
        olga = h.ws.add_user("olga", "Olga")
        support.members.add(olga.id)
        first = await file_another(h, dana, support, **SLOW)
        room = channel_of(h, first)
        await run(h, sam, room, "ack")
        await run(h, sam, room, "update Rebuilt the catalogue index <!channel>")
        for step in ("status revise", "status retest", "fixed", "close"):
            await run(h, sam, room, step)
        db = h.firebell.runtime.db
        with db.session() as session:
            session.add(
                Review(
                    issue_id=first.id,
                    status="published",
                    source="template",
                    drafted_by=sam.id,
                    drafted_at=clock.now(),
                    published_at=clock.now(),
                )
            )
        clock.advance(days=9 * 7)
        await file_another(h, olga, support, **SLOW_AGAIN)
        [shown] = suggestions_to(h, olga)
        assert "similar, closed 9 weeks ago (possible regression)" in shown
        assert "fixed: Rebuilt the catalogue index &lt;!channel&gt;" in shown  # never a ping
        assert f"<{base}/issues/INC-1|its page>" in shown
        assert f"<{base}/issues/INC-1/review|its review>" in shown
