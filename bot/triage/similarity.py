"""How alike two reports are, with the evidence that says so. Pure functions over
`Report`s: the finder feeds them candidates from the database, the benchmark feeds
them GitBugs and a labelled corpus.

One weighted bag of terms a report, its fields weighted as reporters write them:
the title (x3), the description, the normalised stack frames (`file:function`,
`Class.method`, line numbers, addresses and ids stripped: x3 each, a shared frame
is strong evidence), the exception names and error messages (x2), the service (x1:
look-alikes share it). TF-IDF cosine over those bags, idf over the pool at hand.
- the same trace or correlation ID: all but certain;
- the same service within hours: a duplicate tends to come soon after the first;
- with the multilingual model (semantic.py), the titles' meaning, in any language
  (`with_meaning`), when one title is clearly nearer than the others.
Each likeness says why in words a person can check: "same stack frame
`PaymentGateway.capture`", "same words: invoice, twice, june".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache

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
    # Its weighted terms as stored (bot/triage/terms.py): the finder reads a candidate's
    # bag and not its text, which is then left empty. Not part of what the report is.
    terms: Mapping[str, int] | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Likeness:
    score: float
    reasons: tuple[str, ...] = field(default=())


def words(report: Report) -> Mapping[str, int]:
    """A report's weighted terms: its stored bag when it comes with one, else counted
    from its text (cached by content). The bag is shared: read it, never change it."""
    return report.terms if report.terms is not None else counted(report)


# The finder and the web form read their candidates' stored bags (bot/triage/terms.py);
# what is counted from text is the new report, an issue being filed (its bag is
# stored), and candidates without a current bag (once). 20,000 bags were 36 MB of the
# corpus's short reports, and more of GitBugs' long ones.
@lru_cache(maxsize=2_000)
def counted(report: Report) -> Counter[str]:
    found: Counter[str] = Counter()
    for text, weight in ((report.title, 3), (report.description or "", 1)):
        for word in WORD.findall(text.lower()):
            if word not in STOP and not NOISE.match(word):
                found[_stem(word)] += weight
    for name in EXCEPTION.findall(" ".join(filter(None, (report.description, report.stack_trace)))):
        found[name.lower()] += 2
    for frame in frames(report.stack_trace):
        found[f"frame:{frame}"] += 3
    if report.service:
        found[f"service:{report.service.lower()}"] += 1
    return found


def surface(report: Report) -> dict[str, str]:
    """Each stem of the report's words, as the reporter wrote it (for the reasons)."""
    found: dict[str, str] = {}
    for text in (report.title, report.description or ""):
        for word in WORD.findall(text.lower()):
            if word not in STOP and not NOISE.match(word):
                found.setdefault(_stem(word), word)
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

    def __init__(self, documents: list[Mapping[str, int]]) -> None:
        counts: Counter[str] = Counter()
        for doc in documents:
            counts.update(doc.keys())
        self.n = len(documents)
        self.counts = counts
        self._cache: dict[str, float] = {}

    def weight(self, word: str) -> float:
        found = self._cache.get(word)
        if found is None:
            found = self._cache[word] = math.log((1 + self.n) / (1 + self.counts[word])) + 1.0
        return found


class Vector:
    """A report's terms weighted once (tf x idf) with its norm: comparing two costs
    the shorter one's terms, whatever the length of the other."""

    def __init__(self, terms: Mapping[str, int], idf: Idf) -> None:
        self.weights = {t: c * idf.weight(t) for t, c in terms.items()}
        self.norm = math.sqrt(sum(w * w for w in self.weights.values())) or 1.0

    def shared(self, other: Vector) -> list[tuple[float, str]]:
        """The shared terms with their part of the cosine, largest first."""
        small, big = sorted((self.weights, other.weights), key=len)
        scale = self.norm * other.norm
        found = [(w * big[t] / scale, t) for t, w in small.items() if t in big]
        return sorted(found, reverse=True)


def nearness(new: Report, old: Report) -> float:
    if not new.service or new.service != old.service or not new.created_at or not old.created_at:
        return 0.0
    gap = abs(new.created_at - old.created_at)
    return next(
        (score for limit, score in zip(NEAR, (1.0, 0.6, 0.25), strict=True) if gap <= limit), 0.0
    )


def likeness(new: Report, old: Report, a: Vector, b: Vector, said: dict[str, str]) -> Likeness:
    """How alike, 0..1, and why; `said`: the new report's stems as written."""
    if new.trace_id and new.trace_id == old.trace_id:
        return Likeness(0.99, ("the same trace ID",))
    shared = a.shared(b)
    text = sum(part for part, _ in shared)
    reasons: list[str] = []
    frames_shared = [t[6:] for _, t in shared if t.startswith("frame:")]
    if frames_shared:
        reasons.append(f"same stack frame `{frames_shared[0].replace('`', '')}`")
    plain = [said.get(t, t) for part, t in shared if ":" not in t and part >= 0.01][:3]
    if plain:
        reasons.append(f"same words: {', '.join(plain)}")
    near = nearness(new, old)
    if near >= 0.6 and new.created_at and old.created_at:  # near: both are dated
        reasons.append(
            f"the same service, filed {spoken_gap(new.created_at - old.created_at)} apart"
        )
    score = text + 0.15 * near
    if frames_shared and len(frames_shared) >= 2:  # one crash, whatever the words
        score = max(score, 0.6 + 0.05 * len(frames_shared))
    return Likeness(min(score, 0.98), tuple(reasons))


# The multilingual model's cosine between two titles (semantic.py) is compressed: the
# titles of one product score 0.80-0.90 with each other (a report's fifth-nearest is
# at 0.86 on the corpus, 0.89 on GitBugs), a duplicate a few hundredths more, and a
# look-alike on the same service as much. So a candidate counts by how much nearer it is than
# the new report's MEANING_BASE-th nearest candidate: nothing up to MEANING_FROM
# nearer, all of MEANING_WEIGHT at MEANING_FROM + MEANING_SPAN. Chosen on GitBugs
# SeaMonkey so that the gate's threshold, tuned there, stays at 0.70 (a higher weight
# or an earlier start showed more duplicates on SeaMonkey only with a higher bar, and
# more false suggestions on Hadoop); the sweep is in NOTES.md.
MEANING_BASE = 5
MEANING_FROM = 0.04
MEANING_SPAN = 0.10
MEANING_WEIGHT = 0.6
MEANING_SAID = "similar meaning (multilingual model)"


def meaning_base(cosines: Mapping[int | str, float]) -> float:
    """The cosine a candidate must beat to count: the MEANING_BASE-th highest. With
    fewer candidates (a new installation) there is nothing to stand out from, and the
    model does not count: a fixed base (0.86, the corpus's median fifth-nearest) had a
    look-alike on the same service suggested as the only other issue."""
    found = sorted(cosines.values(), reverse=True)
    return found[MEANING_BASE - 1] if len(found) >= MEANING_BASE else 1.0


def with_meaning(alike: Likeness, cosine: float | None, base: float) -> Likeness:
    """The likeness with the model's part added; the reason names the model only when
    its part carried the score (more than the words and the timing did)."""
    if cosine is None or alike.score >= 0.99:  # the same trace ID: all but certain
        return alike
    nearer = (cosine - base - MEANING_FROM) / MEANING_SPAN
    part = MEANING_WEIGHT * min(max(nearer, 0.0), 1.0)
    if part <= 0:
        return alike
    reasons = (MEANING_SAID, *alike.reasons) if part > alike.score else alike.reasons
    return Likeness(min(alike.score + part, 0.98), reasons)


RANKED_AT_MOST = 10


def ranked(
    new: Report,
    pool: list[Report],
    limit: int = RANKED_AT_MOST,
    cosines: Mapping[int | str, float] | None = None,
) -> list[tuple[Report, Likeness]]:
    """The candidates most like `new`, best first, with no floor: the gate decides.
    `cosines`: the multilingual model's, by candidate id, where it has read both."""
    new_words = words(new)
    docs = {r.id: words(r) for r in pool if r.id != new.id}
    idf = Idf([new_words, *docs.values()])
    said = surface(new)
    a = Vector(new_words, idf)
    by_id = {r.id: r for r in pool}
    scored = [
        (by_id[i], likeness(new, by_id[i], a, Vector(doc, idf), said)) for i, doc in docs.items()
    ]
    if cosines:
        base = meaning_base(cosines)
        scored = [(old, with_meaning(alike, cosines.get(old.id), base)) for old, alike in scored]
    scored = [pair for pair in scored if pair[1].score > 0]
    scored.sort(key=lambda pair: (-pair[1].score, str(pair[0].id)))
    return scored[:limit]
