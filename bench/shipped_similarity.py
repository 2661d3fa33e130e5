"""The duplicate finder's scoring as it shipped before issue 24 (bot/triage/similarity.py
at commit f23a500), kept here unchanged on purpose: `bench/duplicates.py --gitbugs`
replays it beside the new finder and BM25 in the same run, so the "as shipped" row is
measured, not copied from an old table. Never import it from bot/.

How alike two reports are, from their words, their stack traces, their trace IDs,
their service and their timing. Pure functions over `Report`s: the finder feeds
them candidates from the database, the benchmark feeds them a labelled corpus.

- words: TF-IDF cosine over the title (counted twice) and the description, with
  ids, hex strings and long numbers dropped (they differ between two reports of
  one crash); idf from the candidates at hand;
- stack trace: the frames as `file:function` or `Class.method` without line
  numbers, addresses or ids, compared as sets, plus the exception's name;
- the same trace or correlation ID: all but certain;
- the same service within hours: a duplicate tends to come soon after the first
  (the reason names the real gap: "filed 3 minutes apart").
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.core.durations import spoken_gap

WORD = re.compile(r"[^\W_]{2,}")
# Ids that differ between two reports of one fault: long numbers, hex strings and
# addresses, and mixed letter-digit tokens of 8 or more (request ids). 502 stays.
NOISE = re.compile(r"^(?:\d{5,}|[0-9a-f]{8,}|0x[0-9a-f]+|(?=\w*\d)(?=\w*[a-z])\w{8,})$")
STOP = frozenset(
    "the a an and or but of to in on at for from with by is are was were be been it its this "
    "that these those as not no can cannot could would should will when then than there their "
    "they we you i he she our your my me us after before again just still also only all any "
    "some more most very into out up down over under about while have has had do does did "
    "get gets got what which who why how where de la le les et des du el en los las un une".split()
)
PY_FRAME = re.compile(r'File "([^"]+)", line \d+, in ([\w<>.]+)')
RB_FRAME = re.compile(r"([\w/.-]+\.rb):\d+:in [`']([^'`]+)'")
AT_FRAME = re.compile(r"^\s*at\s+(?:async\s+)?([A-Za-z_$][\w$.<>`]*)", re.MULTILINE)
GO_FRAME = re.compile(r"^([A-Za-z_][\w./*()-]*\.[A-Za-z_]\w*)\(", re.MULTILINE)
EXCEPTION = re.compile(r"\b([A-Z][A-Za-z0-9]*(?:Error|Exception|Fault|Failure|Panic|Timeout))\b")

NEAR = (timedelta(hours=6), timedelta(hours=24), timedelta(hours=72))


@dataclass(frozen=True)
class Report:
    id: int | str
    title: str
    description: str | None = None
    stack_trace: str | None = None
    trace_id: str | None = None
    service: str | None = None
    type: str | None = None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Likeness:
    score: float
    reasons: tuple[str, ...] = field(default=())


def words(report: Report) -> Counter[str]:
    found: Counter[str] = Counter()
    for text, weight in ((report.title, 2), (report.description or "", 1)):
        for word in WORD.findall(text.lower()):
            if word not in STOP and not NOISE.match(word):
                found[_stem(word)] += weight
    for name in EXCEPTION.findall(report.stack_trace or ""):
        found[name.lower()] += 1
    return found


def _stem(word: str) -> str:
    """A light English stem: enough for fails/failed/failing, presses/pressed, timeouts."""
    if len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and re.search(r"(ss|x|ch|sh)es$", word):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ed"):
        word = word[:-2]
    return word


def frames(trace: str | None) -> frozenset[str]:
    """A stack trace's signature: its frames without line numbers, addresses or ids."""
    if not trace:
        return frozenset()
    found = {f"{path.rsplit('/', 1)[-1]}:{fn}" for path, fn in PY_FRAME.findall(trace)}
    found |= {f"{path.rsplit('/', 1)[-1]}:{fn}" for path, fn in RB_FRAME.findall(trace)}
    found |= {re.sub(r"\$\d+|<[^>]*>|`\d+", "", name) for name in AT_FRAME.findall(trace)}
    found |= {re.sub(r"\(.*?\)", "", name) for name in GO_FRAME.findall(trace)}
    found |= {f"!{name}" for name in EXCEPTION.findall(trace)}
    return frozenset(f for f in found if len(f) > 2)


class Idf:
    """Inverse document frequencies over the reports at hand."""

    def __init__(self, documents: list[Counter[str]]) -> None:
        counts: Counter[str] = Counter()
        for doc in documents:
            counts.update(doc.keys())
        self.n = len(documents)
        self.counts = counts

    def weight(self, word: str) -> float:
        return math.log((1 + self.n) / (1 + self.counts[word])) + 1.0


def cosine(a: Counter[str], b: Counter[str], idf: Idf) -> float:
    if not a or not b:
        return 0.0
    dot = sum(a[w] * b[w] * idf.weight(w) ** 2 for w in a.keys() & b.keys())
    norm_a = math.sqrt(sum((c * idf.weight(w)) ** 2 for w, c in a.items()))
    norm_b = math.sqrt(sum((c * idf.weight(w)) ** 2 for w, c in b.items()))
    return dot / (norm_a * norm_b) if norm_a and norm_b else 0.0


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def nearness(new: Report, old: Report) -> float:
    if not new.service or new.service != old.service or not new.created_at or not old.created_at:
        return 0.0
    gap = abs(new.created_at - old.created_at)
    return next(
        (score for limit, score in zip(NEAR, (1.0, 0.6, 0.25), strict=True) if gap <= limit), 0.0
    )


def likeness(
    new: Report,
    old: Report,
    idf: Idf,
    new_words: Counter[str] | None = None,
    old_words: Counter[str] | None = None,
) -> Likeness:
    reasons: list[str] = []
    if new.trace_id and new.trace_id == old.trace_id:
        return Likeness(0.99, ("the same trace ID",))
    text = cosine(new_words or words(new), old_words or words(old), idf)
    stack = jaccard(frames(new.stack_trace), frames(old.stack_trace))
    near = nearness(new, old)
    if text >= 0.3:
        reasons.append("similar words")
    if stack >= 0.4:
        reasons.append("the same stack trace")
    if near >= 0.6 and new.created_at and old.created_at:  # near: both are dated
        gap = spoken_gap(new.created_at - old.created_at)
        reasons.append(f"the same service, filed {gap} apart")
    same_type = 1.0 if new.type and new.type == old.type else 0.0
    score = 0.55 * text + 0.3 * stack + 0.2 * near + 0.05 * same_type
    if stack >= 0.6:  # one crash, whatever the words
        score = max(score, 0.5 + 0.4 * stack)
    return Likeness(min(score, 0.98), tuple(reasons))


SHOWN_FROM = 0.25  # a suggestion below this is not shown (chosen on tests/data/duplicates)
SHOWN_AT_MOST = 3


def ranked(
    new: Report, pool: list[Report], limit: int = SHOWN_AT_MOST, floor: float = SHOWN_FROM
) -> list[tuple[Report, Likeness]]:
    """The candidates most like `new`, best first, those at `floor` or above."""
    new_words = words(new)
    docs = {r.id: words(r) for r in pool}
    idf = Idf([new_words, *docs.values()])
    scored = [
        (old, likeness(new, old, idf, new_words, docs[old.id])) for old in pool if old.id != new.id
    ]
    kept = [pair for pair in scored if pair[1].score >= floor]
    kept.sort(key=lambda pair: (-pair[1].score, str(pair[0].id)))
    return kept[:limit]
