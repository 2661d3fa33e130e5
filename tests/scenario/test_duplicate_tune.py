"""`firebell triage tune [--apply]`, run as a process on the installation's database:
too few answers change nothing; 30 answered pairs give the threshold and recall worked
out by hand; --apply stores it and the next report is judged by it."""

from __future__ import annotations

import json
import os
import re
from datetime import UTC, datetime, timedelta
from itertools import permutations
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.core.clock import FakeClock
from bot.demo.harness import running
from bot.triage.duplicates import ranked_candidates
from bot.triage.gate import THRESHOLD, confidence
from bot.triage.search import SearchIndex
from storage.db import Database
from storage.models import DuplicateSuggestion, Issue, TriageSetting
from tests.helpers import channel_of, file_another, people
from tests.processes import run_firebell

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
# 30 answered suggestions (confidence, merged?): worked by hand, at the shipped 0.70
# all 30 are shown, 9 wrong (30 %), all 21 true ones; at 0.80, 21 shown, 3 wrong
# (14.3 %); at 0.95, 13 shown, 1 wrong (7.7 % <= 10 %), 12 of the 21 true (57.1 %).
ANSWERS = (
    [(0.72, False)] * 6
    + [(0.80, False)] * 2
    + [(0.95, False)] * 1
    + [(0.72, True)] * 3
    + [(0.80, True)] * 6
    + [(0.95, True)] * 12
)
FIRST = {
    "title": "Checkout fails with 502 on the payment step",
    "description": "Customers get a 502 Bad Gateway when they press Pay. pay-gw times out.",
    "service": "checkout-api",
}
AGAIN = {
    "title": "Payment page shows 502 error when paying",
    "description": "I pressed Pay and got a 502 Bad Gateway page.",
    "service": "checkout-api",
    "trace_id": "",
    "stack_trace": "",
}


def seed(url: str, answers: list[tuple[float, bool]]) -> None:
    """Answered suggestions between issues nobody will search for (numbers from 1000,
    no service: never a candidate of the reports filed later)."""
    db = Database(url)
    try:
        with db.session() as session:
            seeds = [
                Issue(
                    number=1000 + n,
                    idempotency_key=f"seed-{n}",
                    title="zzqx",
                    type="bug",
                    severity="minor",
                    reporter_id="U0SEED",
                    status="closed",
                    created_at=AT,
                )
                for n in range(7)
            ]
            session.add_all(seeds)
            session.flush()
            pairs = permutations([int(s.id or 0) for s in seeds], 2)
            for (value, true), (new, old) in zip(answers, pairs, strict=False):
                session.add(
                    DuplicateSuggestion(
                        issue_id=new,
                        candidate_id=old,
                        score=value,
                        confidence=value,
                        state="merged" if true else "dismissed",
                        created_at=AT,
                    )
                )
    finally:
        db.dispose()


async def tune(url: str, *args: str) -> tuple[int, str]:
    """`firebell triage tune` as a process on the database at `url`: its exit code and
    output (the timeout guards against a hang; it is no bound on speed)."""
    env = {**os.environ, "DATABASE_URL": url}
    return await run_firebell("triage", "tune", *args, env=env, timeout=120, with_stdout=True)


def stored(url: str) -> list[TriageSetting]:
    db = Database(url)
    try:
        with db.session() as session:
            return list(session.exec(select(TriageSetting)))
    finally:
        db.dispose()


async def test_too_few_answers_say_so_and_store_nothing(database_url: str) -> None:
    seed(database_url, ANSWERS[:19])
    code, out = await tune(database_url, "--apply")
    assert "19 answered suggestions; at least 20 are needed" in out
    assert code == 1 and stored(database_url) == []


async def test_thirty_answers_give_the_threshold_worked_out_by_hand(database_url: str) -> None:
    seed(database_url, ANSWERS)
    code, out = await tune(database_url)
    assert code == 0, out
    assert "30 answered suggestions: 21 merged, 9 not a duplicate" in out
    assert (
        "current (shipped default) threshold 0.700: 30 shown, 30.0% wrong, "
        "100.0% of true duplicates shown" in out
    )
    assert (
        "tuned (wrong at most 10%) threshold 0.950: 13 shown, 7.7% wrong, "
        "57.1% of true duplicates shown" in out
    )
    assert "stands in" not in out  # every row carries its confidence
    assert stored(database_url) == []  # without --apply nothing is stored


async def test_apply_stores_it_and_the_next_report_is_judged_by_it(
    database_url: str, clock: FakeClock
) -> None:
    seed(database_url, ANSWERS)
    code, out = await tune(database_url, "--apply")
    assert code == 0, out
    assert [(s.name, s.value) for s in stored(database_url)] == [("duplicate_threshold", 0.95)]
    code, out = await tune(database_url)
    assert "current (tuned, stored) threshold 0.950" in out

    async with running(database_url, clock=clock) as h:  # a Firebell started after it
        dana, _, support = people(h)
        olga = h.ws.add_user("olga", "Olga")
        support.members.add(olga.id)
        await file_another(h, dana, support, **FIRST)
        clock.advance(minutes=10)
        await file_another(h, olga, support, **AGAIN)
        db = h.firebell.runtime.db
        with db.session() as session:
            second = session.exec(select(Issue).where(Issue.title == AGAIN["title"])).one()
            best = ranked_candidates(session, SearchIndex(db), second)
            shown = session.exec(
                select(DuplicateSuggestion).where(DuplicateSuggestion.issue_id == second.id)
            ).all()
        # shown at the shipped 0.70 (test_duplicates_and_merge.py), not at the tuned 0.95
        assert THRESHOLD <= confidence(best) < 0.95
        assert shown == []
        card = h.ws.messages_in(channel_of(h, second).id)[0]
        assert "Possible duplicate" not in str(card.blocks)


CORPUS = Path(__file__).parents[1] / "data" / "duplicates" / "corpus.json"


def seed_history(url: str) -> None:
    """A team's history from the labelled corpus: 12 issues, then one duplicate of each
    that someone merged by hand (no suggestion row: the finder missed it, or ran before
    an upgrade) and 10 look-alikes answered "Not a duplicate"."""
    corpus = json.loads(CORPUS.read_text())
    originals = corpus["issues"][:12]
    wanted = {o["id"] for o in originals}
    dups = {r["duplicate_of"]: r for r in reversed(corpus["reports"]) if r["duplicate_of"]}
    alikes = [r for r in corpus["reports"] if r["lookalike_of"] in wanted][:10]
    db = Database(url)
    try:
        with db.session() as session:
            number = iter(range(1, 100))

            def issue(item: dict[str, Any], minutes: int, **extra: Any) -> Issue:
                row = Issue(
                    number=next(number),
                    idempotency_key=f"history-{item['id']}-{minutes}",
                    title=item["title"],
                    description=item["description"],
                    stack_trace=item["stack_trace"] or None,
                    service=item["service"],
                    type=item["type"],
                    severity=item["severity"],
                    reporter_id="U0HISTORY",
                    created_at=AT + timedelta(minutes=minutes),
                    **extra,
                )
                session.add(row)
                session.flush()
                return row

            ids = {o["id"]: issue(o, n) for n, o in enumerate(originals)}
            for n, o in enumerate(originals):
                dup = dups[o["id"]]
                issue(dup, 100 + n, status="closed", merged_into_id=ids[o["id"]].id)
            for n, r in enumerate(alikes):
                alike = issue(r, 200 + n)
                session.add(
                    DuplicateSuggestion(
                        issue_id=alike.id,
                        candidate_id=int(ids[r["lookalike_of"]].id or 0),
                        score=0.8,
                        confidence=0.8,
                        state="dismissed",
                        created_at=AT,
                    )
                )
        SearchIndex(db).reindex_missing()
    finally:
        db.dispose()


async def test_replay_asks_the_finder_again_and_counts_merges_made_by_hand(
    database_url: str,
) -> None:
    seed_history(database_url)
    code, out = await tune(database_url)
    assert "10 answered suggestions; at least 20 are needed" in out  # the rows alone
    code, out = await tune(database_url, "--replay")
    assert code == 0, out
    assert (
        "replaying 22 answered or merged reports and 12 that nobody merged (counted as "
        "having no duplicate) with the finder as it is now" in out
    )
    assert "34 replayed answers: 12 merged, 22 not a duplicate" in out
    current = re.search(r"current \(shipped default\) threshold 0\.700: (\d+) shown", out)
    kept = re.search(r"([\d.]+)% of true duplicates shown", out)
    assert current and kept, out
    # The corpus's duplicates share words with their originals: the finder as it is
    # now shows some of the merges nobody was ever suggested.
    assert int(current.group(1)) > 0 and float(kept.group(1)) > 0
    assert stored(database_url) == []
