"""The duplicate finder replayed on GitBugs (real trackers' reports and duplicate links,
../shared/data/gitbugs/, CC BY 4.0) in the chronological protocol of its README.

Reports are stored in a real database in creation order, each closed at its
tracker's resolution time; before each one is committed, three finders are asked
for candidates among the reports filed before it, in the same run:
- shipped: Firebell's finder before issue 24 (bench/shipped_similarity.py and its
  candidate query: open or closed within 14 days, score floor 0.25, at most 3);
- new: `bot.triage.duplicates.ranked_candidates` (the one function intake asks),
  ranked without a gate for recall@k, and what `gate.shown` lets through;
- bm25: plain Okapi BM25 (k1 1.2, b 0.75) over title + description, in memory.
A query is a report with an earlier report in its duplicate group; its hit is the
rank of the first earlier group member. The false-suggestion rate is over reports
with no earlier group member (the 92 Hadoop reports resolved Duplicate without a
pair row are left out): the share that were shown any suggestion.
"""

from __future__ import annotations

import heapq
import json
import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, and_, col, or_, select

from bench import shipped_similarity as shipped
from bot.triage import gate, semantic
from bot.triage.duplicates import ranked_candidates
from bot.triage.search import SearchIndex
from bot.triage.similarity import STOP, WORD, Likeness, _stem
from storage.db import Database
from storage.models import Issue

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "gitbugs"
if not DATA.exists():
    DATA = Path("/work/shared/data/gitbugs")
KS = (1, 3, 5, 10)
BATCH = 200
# The frozen finder re-tokenised every candidate at each filing; its results do not
# change with a cache, and the replay runs in a minute instead of several.
shipped.words = lru_cache(maxsize=20_000)(shipped.words)  # type: ignore[assignment]


@dataclass
class Outcome:
    """Per report: whether it is a query, and per finder the ranked hits (True where the
    candidate is an earlier group member) and, for the gated ones, what was shown."""

    query: bool
    counted: bool  # a non-query counted for the false-suggestion rate
    ranks: dict[str, list[bool]] = field(default_factory=dict)
    shown: dict[str, list[bool]] = field(default_factory=dict)
    scores: list[float] = field(default_factory=list)  # the new finder's, best first


def load(project: str) -> tuple[list[dict[str, Any]], dict[str, str]]:
    data = json.loads((DATA / f"{project}.json").read_text())
    reports = sorted(data["reports"], key=lambda r: (r["created"], int(r["id"])))
    ids = {r["id"] for r in reports}
    parent: dict[str, str] = {}

    def root(x: str) -> str:
        while parent.get(x, x) != x:
            x = parent[x]
        return x

    for a, b in data["pairs"]:
        if a in ids and b in ids and root(a) != root(b):
            parent[root(a)] = root(b)
    return reports, {r["id"]: root(r["id"]) for r in reports}


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


class Bm25:
    def __init__(self, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.docs: list[tuple[Counter[str], int]] = []
        self.postings: dict[str, list[int]] = defaultdict(list)
        self.total = 0

    @staticmethod
    def terms(title: str, description: str | None) -> Counter[str]:
        text = f"{title}\n{description or ''}".lower()
        return Counter(_stem(w) for w in WORD.findall(text) if w not in STOP)

    def rank(self, query: Counter[str], limit: int = 10) -> list[int]:
        n = len(self.docs)
        if not n:
            return []
        avg = self.total / n
        scores: dict[int, float] = defaultdict(float)
        for term in query:
            docs = self.postings.get(term, [])
            idf = math.log(1 + (n - len(docs) + 0.5) / (len(docs) + 0.5))
            for j in docs:
                tf, length = self.docs[j][0][term], self.docs[j][1]
                scores[j] += (
                    idf * tf * (self.k1 + 1) / (tf + self.k1 * (1 - self.b + self.b * length / avg))
                )
        return heapq.nlargest(limit, scores, key=lambda j: (scores[j], j))

    def add(self, terms: Counter[str]) -> None:
        for term in terms:
            self.postings[term].append(len(self.docs))
        length = sum(terms.values())
        self.docs.append((terms, length))
        self.total += length


def shipped_ranked(session: Session, index: SearchIndex, issue: Issue) -> list[int]:
    """The finder as shipped before issue 24: its candidates, its floor, at most 3."""
    assert issue.id is not None
    query = " ".join(filter(None, [issue.title, (issue.description or "")[:500]]))
    ids = {hit.issue_id for hit in index.search(session, query, 200, any_word=True)}
    ids.discard(issue.id)
    if not ids:
        return []
    found = session.exec(
        select(Issue).where(
            col(Issue.id).in_(ids),
            or_(
                col(Issue.status) != "closed",
                and_(
                    col(Issue.closed_at).is_not(None),
                    col(Issue.closed_at) >= issue.created_at - timedelta(days=14),
                ),
            ),
        )
    ).all()
    pool = [
        shipped.Report(r.id, r.title, r.description, type=r.type, created_at=r.created_at)
        for r in found
    ]
    new = shipped.Report(
        issue.id, issue.title, issue.description, type=issue.type, created_at=issue.created_at
    )
    return [int(old.id) for old, _ in shipped.ranked(new, pool)]


def replay(db: Database, project: str, every: int = 1) -> list[Outcome]:
    """`every`: ask the finders for every n-th non-query only (queries always)."""
    reports, group = load(project)
    index = SearchIndex(db)
    members: dict[str, list[int]] = defaultdict(list)  # group -> issue ids filed so far
    closing: list[tuple[datetime, int]] = []
    bm25 = Bm25()
    row_of: list[int] = []  # bm25 doc index -> issue id
    outcomes: list[Outcome] = []
    for first in range(0, len(reports), BATCH):
        with db.session() as session:  # one transaction a batch: this measures finding
            for number, item in enumerate(reports[first : first + BATCH], first + 1):
                _file(
                    session,
                    index,
                    project,
                    number,
                    item,
                    group,
                    members,
                    closing,
                    bm25,
                    row_of,
                    outcomes,
                    every,
                )
    return outcomes


def _file(
    session: Session,
    index: SearchIndex,
    project: str,
    number: int,
    item: dict[str, Any],
    group: dict[str, str],
    members: dict[str, list[int]],
    closing: list[tuple[datetime, int]],
    bm25: Bm25,
    row_of: list[int],
    outcomes: list[Outcome],
    every: int,
) -> None:
    at = when(item["created"])
    due = []
    while closing and closing[0][0] <= at:
        due.append(heapq.heappop(closing))
    for closed_at, issue_id in due:
        session.execute(
            update(Issue)
            .where(col(Issue.id) == issue_id)
            .values(status="closed", phase="analysis", closed_at=closed_at)
        )
    issue = Issue(
        number=number,
        idempotency_key=f"gitbugs-{project}-{item['id']}",
        title=item["title"][:150],
        type="bug",
        severity="major",
        description=item["description"],
        private=False,
        reporter_id="UREPORTER",
        status="new",
        phase="detection",
        created_at=at,
    )
    session.add(issue)
    session.flush()
    assert issue.id is not None
    earlier = set(members[group[item["id"]]])
    is_query = bool(earlier)
    counted = not is_query and (item["resolution"] or "").lower() != "duplicate"
    terms = Bm25.terms(item["title"], item["description"])
    if is_query or (counted and number % every == 0):
        outcome = Outcome(is_query, counted)
        ranked = ranked_candidates(session, index, issue, 10)
        outcome.ranks["new"] = [o.id in earlier for o, _ in ranked]
        outcome.scores = [alike.score for _, alike in ranked]
        outcome.shown["new"] = [o.id in earlier for o, _ in gate.shown(ranked)]
        old = shipped_ranked(session, index, issue)
        outcome.ranks["shipped"] = outcome.shown["shipped"] = [i in earlier for i in old]
        outcome.ranks["bm25"] = [row_of[j] in earlier for j in bm25.rank(terms)]
        outcomes.append(outcome)
    index.write(session, issue)
    semantic.read(session, issue)  # every title is read, as intake reads every report's
    members[group[item["id"]]].append(issue.id)
    bm25.add(terms)
    row_of.append(issue.id)
    if item.get("resolved") and item["status"].lower() in (
        "resolved",
        "verified",
        "closed",
    ):
        heapq.heappush(closing, (when(item["resolved"]), issue.id))


def recall(outcomes: list[Outcome], finder: str, k: int, shown: bool = False) -> float:
    queries = [o for o in outcomes if o.query]
    got = [(o.shown if shown else o.ranks).get(finder, []) for o in queries]
    return sum(any(hits[:k]) for hits in got) / max(len(queries), 1)


def false_rate(outcomes: list[Outcome], finder: str) -> float:
    counted = [o for o in outcomes if o.counted]
    return sum(bool(o.shown.get(finder)) for o in counted) / max(len(counted), 1)


def confidence(outcome: Outcome) -> float:
    return gate.confidence([(None, Likeness(s)) for s in outcome.scores])


def regate(outcomes: list[Outcome], threshold: float) -> None:
    """What `gate.shown` would have shown at `threshold` (from the stored ranking)."""
    for o in outcomes:
        pairs = [(hit, Likeness(s)) for hit, s in zip(o.ranks["new"], o.scores, strict=True)]
        o.shown["new"] = [hit for hit, _ in gate.shown(pairs, threshold)]


def tune(outcomes: list[Outcome], target: float = 0.10) -> float:
    """The lowest confidence threshold whose false-suggestion rate is at most `target`."""
    counted = sorted((confidence(o) for o in outcomes if o.counted), reverse=True)
    allowed = int(target * len(counted))
    return round(counted[allowed] + 0.005, 2) if allowed < len(counted) else 0.0
