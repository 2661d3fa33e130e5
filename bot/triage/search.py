"""Full-text search over issues, with the databases' own engines: SQLite FTS5 (porter
stemming) and PostgreSQL tsvector ('english') with a GIN index.

Each issue has one search document: its key, title, service, type, description,
stack trace, trace ID, status updates and pinned messages. `add_event` marks an
issue whose document changed; `refresh` rebuilds those documents just before the
transaction commits, so the index changes with the issue or not at all.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.core.timeline import KINDS, SEARCH_DIRTY
from bot.incidents.event_kinds import IncidentEvent
from bot.triage import terms
from bot.triage.terms import report_of
from storage.db import Database
from storage.models import Issue, TimelineEvent

DOCUMENT_MAX = 100_000
MAX_WORDS = 24
COUNTED_AT_MOST = 10_000
RANKS_QUICKLY, RANKS_QUICKLY_POSTGRES = 15_000, 4_000
STATISTICS_KEPT = 60.0
WORD = re.compile(r"[^\W_]+")  # letters and digits; the rest separates words


@dataclass(frozen=True)
class Hit:
    issue_id: int
    rank: float  # higher is better, comparable within one answer only


def words_of(query: str) -> list[str]:
    return [w.lower() for w in WORD.findall(query)][:MAX_WORDS]


def document(session: Session, issue: Issue) -> str:
    return documents(session, [issue])[issue.id or 0]


def documents(session: Session, issues: list[Issue]) -> dict[int, str]:
    """Each issue's document by id, its events read in one query (a batch of old
    issues is indexed at start-up: one query an issue was most of that)."""
    said: dict[int, list[str]] = {}
    ids = [issue.id for issue in issues if issue.id is not None]
    if ids:
        rows = session.exec(
            select(TimelineEvent.issue_id, TimelineEvent.payload)
            .where(
                col(TimelineEvent.issue_id).in_(ids),
                # `filed` stands for the fields below.
                col(TimelineEvent.kind).in_(KINDS.searched() - {IncidentEvent.FILED.value}),
            )
            .order_by(col(TimelineEvent.issue_id), col(TimelineEvent.at))
        )
        for issue_id, payload in rows:
            said.setdefault(issue_id, []).append(str(payload.get("text") or ""))
    found = {}
    for issue in issues:
        parts = [
            issue.key,
            issue.title,
            issue.service,
            issue.type,
            issue.description,
            issue.stack_trace,
            issue.trace_id,
            *said.get(issue.id or 0, []),
        ]
        found[issue.id or 0] = "\n".join(p for p in parts if p)[:DOCUMENT_MAX]
    return found


class SearchIndex:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.postgres = db.is_postgres
        # About how many matching documents an any-word query ranks in 10 ms (100k
        # issues, shared machine, NOTES.md): FTS5 ranks from its postings, PostgreSQL
        # reads and ranks each matching row's tsvector, several times slower.
        self.ranks_quickly = RANKS_QUICKLY_POSTGRES if self.postgres else RANKS_QUICKLY
        self._common: tuple[float, dict[str, int]] | None = None  # (read at, lexemes)

    def attach(self) -> None:
        """Keep documents current in every transaction of this database."""
        if self.refresh not in self.db.before_commit:
            self.db.before_commit.append(self.refresh)

    def refresh(self, session: Session) -> None:
        dirty = session.info.pop(SEARCH_DIRTY, None)
        if not dirty:
            return
        session.flush()
        for issue_id in sorted(dirty):
            issue = session.get(Issue, issue_id)
            if issue is not None:
                self.write(session, issue)

    def write(self, session: Session, issue: Issue) -> None:
        """The issue's search document, and its terms as the duplicate finder weighs
        them (terms.py) unless they are stored already."""
        terms.store(session, [report_of(issue)])
        body = document(session, issue)
        if self.postgres:
            session.execute(
                text(
                    "INSERT INTO issue_search (issue_id, document) VALUES (:id, :doc) "
                    "ON CONFLICT (issue_id) DO UPDATE SET document = EXCLUDED.document"
                ),
                {"id": issue.id, "doc": body},
            )
        else:
            session.execute(text("DELETE FROM issue_search WHERE rowid = :id"), {"id": issue.id})
            session.execute(
                text("INSERT INTO issue_search (rowid, document) VALUES (:id, :doc)"),
                {"id": issue.id, "doc": body},
            )

    def reindex_missing(
        self,
        batch: int = 500,
        stop: Callable[[], bool] = lambda: False,
        progress: Callable[[int, int], None] = lambda done, batches: None,
    ) -> int:
        """Index the issues that have no document (those filed before search existed),
        one transaction a batch; `stop` is asked between batches (a stopping process
        leaves the rest for its next start), `progress` told (done, batches) after each."""
        key = "issue_id" if self.postgres else "rowid"
        done = batches = 0
        while not stop():
            with self.db.session() as session:
                ids = (
                    session.execute(
                        text(
                            "SELECT id FROM issues WHERE id NOT IN "
                            f"(SELECT {key} FROM issue_search) ORDER BY id LIMIT :n"
                        ),
                        {"n": batch},
                    )
                    .scalars()
                    .all()
                )
                for issue in session.exec(select(Issue).where(col(Issue.id).in_(ids))):
                    self.write(session, issue)
            done += len(ids)
            batches += 1
            progress(done, batches)
            if len(ids) < batch:
                return done
        return done

    def missing(self, session: Session, after: int, limit: int) -> list[int]:
        """Ids above `after` of issues without a document, ascending: a walk by id that
        looks each issue up in the index (a scan of the index per batch grew with it)."""
        key = "issue_id" if self.postgres else "rowid"
        found = session.execute(
            text(
                "SELECT id FROM issues WHERE id > :after AND NOT EXISTS "
                f"(SELECT 1 FROM issue_search WHERE issue_search.{key} = issues.id) "
                "ORDER BY id LIMIT :n"
            ),
            {"after": after, "n": limit},
        )
        return [int(i) for i in found.scalars()]

    def add_missing(self, session: Session, documents: dict[int, str]) -> int:
        """Store documents built outside this transaction, for issues that still have
        none (a live change wrote a newer one meanwhile: it stays). Writes first, so on
        SQLite the write lock is taken at once and held only for these inserts."""
        if not documents:
            return 0
        if self.postgres:
            sql = (
                "INSERT INTO issue_search (issue_id, document) VALUES (:id, :doc) "
                "ON CONFLICT (issue_id) DO NOTHING"
            )
        else:
            sql = (
                "INSERT INTO issue_search (rowid, document) SELECT :id, :doc "
                "WHERE NOT EXISTS (SELECT 1 FROM issue_search WHERE rowid = :id)"
            )
        rows = [{"id": issue_id, "doc": body} for issue_id, body in documents.items()]
        result = session.execute(text(sql), rows)
        return int(getattr(result, "rowcount", 0) or 0)

    def documents_with(
        self, session: Session, words: list[str], besides: int | None = None
    ) -> dict[str, int]:
        """About how many documents hold each word (as the index stems it), read from
        the index itself, so it follows every filing and edit, from any replica, with
        nothing stored of our own. 0: none. SQLite counts the postings, at most
        COUNTED_AT_MOST a word (more says "common" as well, and costs more to count),
        not those of `besides` (the report's own document, once it has one).
        PostgreSQL reads the planner's statistics of the tsvector column (ANALYZE's
        most common lexemes, as fresh as autovacuum keeps them, `common_lexemes`,
        and stems the words with its own configuration): a word not among
        them is rarer than all of those, 1 here (every word is, before the first
        ANALYZE); a stop word of its 'english' configuration, 0."""
        words = list(dict.fromkeys(w for w in words if WORD.fullmatch(w)))
        if not words:
            return {}
        if self.postgres:
            common = self.common_lexemes(session)
            rows = session.execute(
                text(
                    "SELECT w, tsvector_to_array(to_tsvector('english', w)) "
                    "FROM unnest(CAST(:words AS text[])) AS w"
                ),
                {"words": words},
            ).all()
            return {str(w): max((common.get(x, 1) for x in stems), default=0) for w, stems in rows}
        counted = " UNION ALL ".join(
            f"SELECT :w{i}, (SELECT count(*) FROM (SELECT 1 FROM issue_search "
            f"WHERE issue_search MATCH :q{i} AND rowid != :besides LIMIT {COUNTED_AT_MOST}))"
            for i in range(len(words))
        )
        values: dict[str, object] = {"besides": -1 if besides is None else besides}
        values |= {f"w{i}": w for i, w in enumerate(words)}
        values |= {f"q{i}": f'"{w}"' for i, w in enumerate(words)}
        return {str(w): int(n) for w, n in session.execute(text(counted), values).all()}

    def common_lexemes(self, session: Session) -> dict[str, int]:
        """PostgreSQL's most common lexemes in the index, each with about how many
        documents hold it, from its statistics, read at most once a STATISTICS_KEPT
        seconds (reading `pg_stats` at every filing cost ~7 ms at 100k issues;
        ANALYZE refreshes them far less often)."""
        now = time.monotonic()
        if self._common is None or now - self._common[0] > STATISTICS_KEPT:
            row = session.execute(
                text(
                    "SELECT s.most_common_elems::text::text[], s.most_common_elem_freqs, "
                    "greatest(c.reltuples, 0) FROM pg_class AS c LEFT JOIN pg_stats AS s "
                    "ON s.schemaname = current_schema() AND s.tablename = 'issue_search' "
                    "AND s.attname = 'tsv' WHERE c.oid = to_regclass('issue_search')"
                )
            ).first()
            lexemes, shares, documents = row if row else (None, None, 0)
            # zip: the shares end with three figures that are not a lexeme's
            found = zip(lexemes or [], shares or [], strict=False)
            common = {str(x): max(1, round(share * documents)) for x, share in found}
            self._common = (now, common)
        return self._common[1]

    def search(
        self, session: Session, query: str, limit: int = 20, any_word: bool = False
    ) -> list[Hit]:
        """Issues matching every word (or, with `any_word`, any of them), best first."""
        words = words_of(query)
        if not words:
            return []
        if self.postgres:
            joined = (" | " if any_word else " & ").join(words)
            if any_word:
                # The planner costs a sequential scan for ~10k matches like a scan by
                # the GIN index, but @@ on every row takes twice as long (70 vs 37 ms
                # at 100k issues): by the index, for this query only.
                prior = session.execute(
                    text(
                        "SELECT current_setting('enable_seqscan'), "
                        "set_config('enable_seqscan', 'off', true)"
                    )
                ).scalar_one()
            rows = session.execute(
                text(
                    "SELECT issue_id, ts_rank_cd(tsv, q) AS rank FROM issue_search, "
                    "to_tsquery('english', :q) AS q WHERE tsv @@ q "
                    "ORDER BY rank DESC, issue_id DESC LIMIT :n"
                ),
                {"q": joined, "n": limit},
            ).all()
            if any_word:
                session.execute(
                    text("SELECT set_config('enable_seqscan', :prior, true)"), {"prior": prior}
                )
            return [Hit(int(i), float(r)) for i, r in rows]
        match = (" OR " if any_word else " ").join(f'"{w}"' for w in words)
        rows = session.execute(
            text(
                "SELECT rowid, bm25(issue_search) AS rank FROM issue_search "
                "WHERE issue_search MATCH :q ORDER BY rank, rowid DESC LIMIT :n"
            ),
            {"q": match, "n": limit},
        ).all()
        return [Hit(int(i), -float(r)) for i, r in rows]


def find_issues(db: Database, index: SearchIndex, query: str, limit: int = 50) -> list[Issue]:
    """The issues matching every word, best first (the caller shows those its reader may
    see)."""
    with db.session() as session:
        hits = index.search(session, query, limit)
        found = {
            i.id: i
            for i in session.exec(
                select(Issue).where(col(Issue.id).in_([h.issue_id for h in hits]))
            )
        }
    return [found[h.issue_id] for h in hits if h.issue_id in found]
