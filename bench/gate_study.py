"""Gates compared offline on the files bench/gate_features.py writes: each gate's
threshold is chosen on SeaMonkey for <= 10 % false suggestions and the same
threshold is applied to Hadoop, the project's corpus and the cross-language
reports, as `gate.shown` would show (at most 3, a second or third only at 90 % of
the first's score). Prints the table in NOTES.md ("Gate study (issue 24, third
round)"), the features' AUCs and the in-sample bounds.

    PYTHONPATH=$PWD python bench/gate_study.py /tmp/gate

A variant's parameter count includes its threshold. Logistic gates are fitted on
SeaMonkey only (label: the first candidate is the report's original; L2 1.0 on
standardised features, Newton's method).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from bot.triage.gate import NEARLY, SHOWN_AT_MOST, THRESHOLD

Query = dict[str, Any]
Gate = Callable[[Query], float]
TARGET_FALSE = 0.10


def features(query: Query) -> dict[str, float]:
    """What a gate may read of one report's ranking (see NOTES.md for each)."""
    ranked = query["candidates"]
    scores = [c["score"] for c in ranked]
    s1, s2 = [*scores, 0.0, 0.0][:2]
    f = {"s1": s1, "s2": s2, "d": s1 - s2, "rel": 1 - s2 / s1 if s1 > 0 else 0.0}
    f["lterms"] = math.log1p(query["terms"])
    if not ranked:
        return (
            f
            | dict.fromkeys(("lex1", "sem1", "coslead", "cosabove", "lexlead"), 0.0)
            | {
                "open1": 0.0,
                "lgap": 5.0,
                "s1_over_mean": 0.0,
            }
        )
    top, rest = ranked[0], ranked[1:]
    cosine = top["cosine"] if top["cosine"] is not None else 0.0
    base = top["base"] if top["base"] is not None else 1.0
    others = [c["cosine"] for c in rest if c["cosine"] is not None]
    f["lex1"], f["sem1"] = top["lexical"], top["semantic"]
    f["cosabove"] = cosine - base
    f["coslead"] = cosine - (max(others) if others else base)
    f["lexlead"] = top["lexical"] - max((c["lexical"] for c in rest), default=0.0)
    f["open1"] = float(top["open"])
    f["lgap"] = math.log1p(abs(top["gap_days"])) if top["gap_days"] is not None else 5.0
    f["s1_over_mean"] = s1 / (float(np.mean(scores[1:])) + 0.01) if rest else 0.0
    return f


def load(folder: Path) -> dict[str, list[Query]]:
    corpus = json.loads((folder / "corpus.json").read_text())
    sets = {
        "seamonkey": json.loads((folder / "seamonkey.json").read_text()),
        "hadoop": json.loads((folder / "hadoop.json").read_text()),
        "corpus": [q for q in corpus if q["set"] == "corpus"],
        "across": [q for q in corpus if q["set"] == "across"],
    }
    for queries in sets.values():
        for q in queries:
            q["f"] = features(q)
    return sets


def negatives(queries: list[Query]) -> list[Query]:
    return [q for q in queries if q["counted"] and not q["duplicate"]]


def shown(q: Query, gate: Gate, threshold: float) -> list[dict[str, Any]]:
    ranked = q["candidates"]
    if not ranked or gate(q) < threshold:
        return []
    first = ranked[0]["score"]
    return [c for c in ranked[:SHOWN_AT_MOST] if c["score"] >= NEARLY * first]


def measured(queries: list[Query], gate: Gate, threshold: float) -> tuple[float, float]:
    """Shown recall@3 over duplicates, false-suggestion rate over the others."""
    dups = [q for q in queries if q["duplicate"]]
    found = sum(any(c["original"] for c in shown(q, gate, threshold)) for q in dups)
    wrong = sum(bool(shown(q, gate, threshold)) for q in negatives(queries))
    return found / max(len(dups), 1), wrong / max(len(negatives(queries)), 1)


def tuned(queries: list[Query], gate: Gate, target: float = TARGET_FALSE) -> float:
    """The lowest threshold letting through at most `target` of the non-duplicates."""
    scores = sorted((gate(q) for q in negatives(queries) if q["candidates"]), reverse=True)
    allowed = int(target * len(negatives(queries)))
    return scores[allowed] + 1e-9 if allowed < len(scores) else -math.inf


def logistic(queries: list[Query], keys: list[str], l2: float = 1.0) -> Gate:
    x = np.array([[q["f"][k] for k in keys] for q in queries])
    mean, spread = x.mean(0), x.std(0) + 1e-9
    xs = np.c_[np.ones(len(queries)), (x - mean) / spread]
    y = np.array(
        [
            float(q["duplicate"] and bool(q["candidates"]) and q["candidates"][0]["original"])
            for q in queries
        ]
    )
    w = np.zeros(xs.shape[1])
    penalty = l2 * np.diag(np.r_[0.0, np.ones(len(keys))])
    for _ in range(50):
        p = 1 / (1 + np.exp(-xs @ w))
        gradient = xs.T @ (p - y) + penalty @ w
        w -= np.linalg.solve((xs.T * (p * (1 - p))) @ xs + penalty, gradient)

    def gate(q: Query) -> float:
        z = (np.array([q["f"][k] for k in keys]) - mean) / spread
        return float(w[0] + z @ w[1:])

    return gate


def auc(queries: list[Query], key: str) -> float:
    pos = np.array(
        [
            q["f"][key]
            for q in queries
            if q["duplicate"] and q["candidates"] and q["candidates"][0]["original"]
        ]
    )
    neg = np.array([q["f"][key] for q in negatives(queries)])
    if not len(pos) or not len(neg):
        return math.nan
    return float((pos[:, None] > neg).mean() + 0.5 * (pos[:, None] == neg).mean())


def variants(sets: dict[str, list[Query]]) -> list[tuple[str, int, Gate, float | None]]:
    def f(key: str) -> Gate:
        return lambda q: q["f"][key]

    lead = sorted(q["f"]["coslead"] for q in negatives(sets["seamonkey"]))
    found: list[tuple[str, int, Gate, float | None]] = [
        ("shipped: s1 + d", 1, lambda q: q["f"]["s1"] + q["f"]["d"], THRESHOLD),
        ("s1 + d, re-tuned", 1, lambda q: q["f"]["s1"] + q["f"]["d"], None),
        ("s1", 1, f("s1"), None),
        ("d", 1, f("d"), None),
        ("rel", 1, f("rel"), None),
        ("s1 + 2d", 2, lambda q: q["f"]["s1"] + 2 * q["f"]["d"], None),
        ("s1 + 0.5 rel", 2, lambda q: q["f"]["s1"] + 0.5 * q["f"]["rel"], None),
        ("s1 + rel", 2, lambda q: q["f"]["s1"] + q["f"]["rel"], None),
    ]

    def with_lead(weight: float) -> Gate:
        return lambda q: q["f"]["s1"] + q["f"]["d"] + weight * max(q["f"]["coslead"], 0)

    def either(bar: float) -> Gate:
        """The words' confidence, or the model's lead on a bar of its own."""
        return lambda q: max(q["f"]["s1"] + q["f"]["d"], THRESHOLD * q["f"]["coslead"] / bar)

    for weight in (1, 2):
        found.append((f"s1 + d + {weight} coslead", 2, with_lead(weight), None))
    found.append(
        (
            "s1 + d + cosabove",
            2,
            lambda q: q["f"]["s1"] + q["f"]["d"] + max(q["f"]["cosabove"], 0),
            None,
        )
    )
    for pct in (95, 90):
        bar = lead[int(len(lead) * pct / 100)]
        found.append(
            (
                f"max(s1 + d, 0.70 coslead / SeaMonkey p{pct})",
                2,
                either(bar),
                None,
            )
        )
    for keys in (
        ["s1", "d"],
        ["s1", "rel"],
        ["s1", "d", "rel"],
        ["s1", "d", "coslead"],
        ["s1", "rel", "coslead"],
        ["s1", "d", "lgap"],
        ["s1", "d", "open1"],
        ["s1", "d", "lterms"],
        ["s1", "s1_over_mean"],
        ["s1", "d", "lex1", "sem1"],
        ["lex1", "lexlead", "sem1", "coslead"],
        ["s1", "d", "lgap", "open1"],
        ["s1", "d", "rel", "coslead", "lterms"],
    ):
        gate = logistic(sets["seamonkey"], keys)
        found.append((f"logistic {', '.join(keys)}", len(keys) + 2, gate, None))
    return found


ALL = [
    "s1",
    "d",
    "rel",
    "lex1",
    "sem1",
    "coslead",
    "cosabove",
    "lexlead",
    "open1",
    "lgap",
    "lterms",
    "s1_over_mean",
]


def main() -> int:
    sets = load(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/gate"))
    print("| variant | params | SeaMonkey shown / false | Hadoop shown / false |", end="")
    print(" corpus shown / false | cross-language shown |")
    print("| --- " * 6 + "|")
    for name, params, gate, fixed in variants(sets):
        threshold = tuned(sets["seamonkey"], gate) if fixed is None else fixed
        cells = [
            f"{a:.3f} / {b:.3f}"
            for a, b in (
                measured(sets[k], gate, threshold) for k in ("seamonkey", "hadoop", "corpus")
            )
        ]
        across = measured(sets["across"], gate, threshold)[0]
        print(f"| {name} | {params} | {' | '.join(cells)} | {across:.3f} |")
    print("\nAUC, the first candidate the original vs no duplicate (SeaMonkey / Hadoop / corpus)")
    for key in ALL:
        print(
            f"  {key}: "
            + " / ".join(f"{auc(sets[k], key):.2f}" for k in ("seamonkey", "hadoop", "corpus"))
        )
    print("\nIn sample (fitted and thresholded on the same set; a bound, not a result)")
    for name in ("seamonkey", "hadoop"):
        for keys in (["s1", "d"], ALL):
            gate = logistic(sets[name], keys)
            got = measured(sets[name], gate, tuned(sets[name], gate))
            print(f"  {name}, {len(keys) + 2} parameters: {got[0]:.3f} shown at {got[1]:.3f}")
    ceilings(sets)
    return 0


def ceilings(sets: dict[str, list[Query]]) -> None:
    """What the shipped confidence must let through to reach each target, and what is
    shown with no gate at all (a second candidate only at 90 % of the first)."""
    print("\nThe shipped confidence (s1 + d): the false rate each target needs")

    def gate(q: Query) -> float:
        return float(q["f"]["s1"] + q["f"]["d"])

    for name, target in (("seamonkey", 0.70), ("hadoop", 0.60), ("corpus", 0.85)):
        bars = sorted({gate(q) for q in sets[name] if q["candidates"]}, reverse=True)
        reached = next(
            (got for t in bars if (got := measured(sets[name], gate, t))[0] >= target), None
        )
        everything = measured(sets[name], gate, -math.inf)[0]
        needs = f"{reached[1]:.3f} false ({reached[0]:.3f} shown)" if reached else "more than all"
        print(f"  {name}: recall {target:.2f} needs {needs}; with no gate {everything:.3f} shown")


if __name__ == "__main__":
    sys.exit(main())
