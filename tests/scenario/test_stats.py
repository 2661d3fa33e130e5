"""`/incident stats`: the figures of a period against the one before, private issues
counted but never named."""

from __future__ import annotations

from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from tests.helpers import GOOD_REPORT, channel_of, issues, open_modal, people, run


async def test_stats_show_times_from_transitions_and_hide_private_titles(
    h: Harness, clock: FakeClock
) -> None:
    dana, sam, support = people(h)
    olga = h.ws.add_user("olga", "Olga")
    support.members.add(olga.id)
    for title, private in (("Checkout fails", []), ("Payroll leaks", ["private"])):
        view = await open_modal(h, dana, support)
        answers = {**GOOD_REPORT, "title": title, "private": private}
        assert (await h.driver.submit_view(dana, view, answers)).status == 200
        await h.firebell.settle()
    public, secret = issues(h.firebell.runtime.db)
    clock.advance(minutes=10)
    await run(h, sam, channel_of(h, public), "ack")
    clock.advance(minutes=20)
    await run(h, dana, channel_of(h, secret), "ack")  # the reporter takes it
    clock.advance(hours=1)
    shown = await run(h, olga, support, "stats 7d")
    assert "Insights · last 7 days" in shown
    assert "*Filed*\\n2 ▲ (worse)" in shown  # two against none the week before
    assert "*Time to acknowledge*\\n20m median (2)" in shown  # 10 and 30 minutes
    assert "Checkout fails" in shown and "Payroll leaks" not in shown
    assert "1 private issue, seen only by its members" in shown
    assert "Usage: `/incident stats [7d|30d|90d]" in await run(h, olga, support, "stats 12d")
