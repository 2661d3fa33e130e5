"""The labelled corpus bench/duplicates.py measures the duplicate finder on: big enough,
consistent, and honest (a duplicate never shares its original's title)."""

from __future__ import annotations

import json
from pathlib import Path

from bot.core.domain import IssueType, Severity

CORPUS = Path(__file__).resolve().parents[1] / "data" / "duplicates" / "corpus.json"


def test_the_corpus_is_large_enough_and_consistent() -> None:
    corpus = json.loads(CORPUS.read_text())
    issues = {i["id"]: i for i in corpus["issues"]}
    reports = corpus["reports"]
    assert len(issues) == len(corpus["issues"])
    assert len({r["id"] for r in reports}) == len(reports)
    duplicates = [r for r in reports if r["duplicate_of"]]
    lookalikes = [r for r in reports if not r["duplicate_of"]]
    assert len(duplicates) >= 150 and len(lookalikes) >= 150
    for report in reports:
        assert not (report["duplicate_of"] and report["lookalike_of"]), report["id"]
        other = issues[report["duplicate_of"] or report["lookalike_of"]]
        assert report["service"] == other["service"]
        if report["duplicate_of"]:
            assert report["title"] != other["title"], report["id"]
    for item in [*issues.values(), *reports]:
        assert 0 < len(item["title"]) <= 150 and len(item["service"] or "") <= 80
        assert len(item["trace_id"] or "") <= 200
        assert item["type"] in {t.value for t in IssueType}
        assert item["severity"] in {s.value for s in Severity}
        assert item["filed_minutes_ago"] >= 0
    said = " ".join(r["description"] or "" for r in duplicates)
    for label in ("Fehlermeldung", "Message d'erreur", "Mensaje de error"):  # de, fr, es
        assert said.count(label) >= 5, label


def test_the_cross_language_reports_point_at_english_originals_filed_before_them() -> None:
    corpus = json.loads(CORPUS.read_text())
    issues = {i["id"]: i for i in corpus["issues"]}
    crossed = json.loads((CORPUS.parent / "cross_language.json").read_text())["reports"]
    assert len(crossed) == 30 and {r["language"] for r in crossed} == {"de", "es", "fr", "pt"}
    for report in crossed:
        original = issues[report["duplicate_of"]]
        assert report["service"] == original["service"], report["id"]
        assert report["filed_minutes_ago"] < original["filed_minutes_ago"], report["id"]
        assert report["title"] != original["title"], report["id"]
