"""Each issue's weighted terms (`similarity.words`) stored in `issue_terms`, so that the
duplicate finder reads a candidate's bag instead of tokenising its title, description
and stack trace again at every report: its work per candidate is the candidate's
distinct terms, not the length of what the reporter wrote.

The bag is stored with the issue's search document (`SearchIndex.write`). An issue's
title, description, stack trace and service are never edited after filing, so its bag
changes only when `words` does: a bag of this VERSION is never written again (on
PostgreSQL each rewrite would leave a dead row at every update posted to the issue),
and one of another version, or none (filed before migration 0020), is counted when
the issue is first a candidate, and stored then.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from sqlalchemy import text
from sqlmodel import Session

from bot.triage.similarity import Report, words
from storage.models import Issue

# How `similarity.words` counts: raise it whenever that changes (the weights, the stem,
# the stop words, the frames), and every stored bag is counted again as it is read.
VERSION = 1

STORE = (
    "INSERT INTO issue_terms (issue_id, version, terms) VALUES (:id, :version, :terms) "
    "ON CONFLICT (issue_id) DO UPDATE SET version = excluded.version, terms = excluded.terms "
    "WHERE issue_terms.version <> excluded.version"
)


def report_of(issue: Issue) -> Report:
    assert issue.id is not None
    return Report(
        issue.id,
        issue.title,
        issue.description,
        issue.stack_trace,
        issue.trace_id,
        issue.service,
        issue.type,
        issue.created_at,
    )


def row(report: Report) -> dict[str, object]:
    return {"id": report.id, "version": VERSION, "terms": json.dumps(words(report))}


def store(session: Session, reports: Iterable[Report]) -> None:
    """Store the bags of issues read from their text, where they have none of this
    VERSION."""
    rows = [row(r) for r in reports]
    if rows:
        session.execute(text(STORE), rows)


def current(version: int | None, stored: Mapping[str, int] | None) -> Mapping[str, int] | None:
    """A stored bag, when it was counted as `words` counts now."""
    return stored if version == VERSION and stored is not None else None
