"""`/incident search`: the databases' own full-text search over titles, descriptions,
stack traces, updates and pinned messages; kept current; private issues for members."""

from __future__ import annotations

from bot.demo.harness import Harness
from tests.helpers import channel_of, file_another, issues, people, run


async def test_search_finds_words_wherever_they_are_and_follows_changes(h: Harness) -> None:
    dana, sam, support = people(h)
    await file_another(h, dana, support, title="Checkout fails with 502")
    await file_another(
        h,
        dana,
        support,
        title="Search results empty",
        description="Elasticsearch cluster is yellow",
        stack_trace="Traceback:\n  File 'indexer.py', in reindex\nShardNotAvailable",
        service="search-api",
    )
    first, second = issues(h.firebell.runtime.db)
    answer = await run(h, sam, support, "search checkout")
    assert "INC-1" in answer and "INC-2" not in answer
    assert "INC-2" in await run(h, sam, support, "search shardnotavailable")  # the trace
    assert "INC-2" in await run(h, sam, support, "search elasticsearch clusters")  # stemmed
    assert "No issue matches `payment gateway`" in await run(
        h, sam, support, "search payment gateway"
    )

    room = channel_of(h, first)
    await run(h, sam, room, "update The payment gateway times out after 50 ms")
    answer = await run(h, sam, support, "search payment gateway")
    assert "INC-1" in answer and "INC-2" not in answer  # updates are searched at once

    pinned = h.ws.post(room, sam, "Root cause: connection pool exhausted by the retry storm")
    await h.driver.event(h.driver.reaction(sam, pinned))
    await h.firebell.settle()
    assert "INC-1" in await run(h, sam, support, "search retry storm")  # pinned messages
    assert "Usage: `/incident search <words>`" in await run(h, sam, support, "search")
    assert "INC-" not in await run(h, sam, support, "search ::: '\"* OR NEAR(")  # no syntax
    assert second.title == "Search results empty"


async def test_a_private_issue_is_found_only_by_its_members(h: Harness) -> None:
    dana, _, support = people(h)
    outsider = h.ws.add_user("olga", "Olga")
    support.members.add(outsider.id)
    await file_another(h, dana, support, title="Payroll export leaks salaries", private=["private"])
    assert "INC-1" in await run(h, dana, support, "search payroll")
    answer = await run(h, outsider, support, "search payroll")
    assert "Payroll" not in answer and "INC-1" not in answer
    assert "1 private issue" in answer
