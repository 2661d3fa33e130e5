"""Many rows in one short statement: bulk inserts and updates, and `IN` lists.

psycopg parses a statement's text for its placeholders on every execution unless
the text is at most 4 KB with at most 50 parameters (then it is cached). A batch's
multi-row INSERT (SQLAlchemy's insertmanyvalues: 200 rows, a parameter per value)
or `IN (...)` list of 200 ids is far past both: about 5 ms of parsing each, per
batch (the escalation sweep, bench/escalation_sweep.py). Sent as one JSON document
(json_populate_recordset reads it with the table's own column types), the rows
make one parameter and the text is the same whatever their number: parsed once,
and no value is adapted one by one in Python. SQLite keeps plain statements.
"""

from __future__ import annotations

from datetime import datetime
from json import dumps as json_dumps
from typing import Any

from sqlalchemy import ColumnElement, Table, TextClause, any_, bindparam, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Session

_BULK: dict[tuple[str, tuple[str, ...], str | None, str | None], TextClause] = {}


def pg_insert_rows(
    session: Session,
    table: Table,
    rows: list[dict[str, Any]],
    *,
    returning: str | None = None,
    skip_conflicts_on: str | None = None,
) -> list[Any]:
    """PostgreSQL: `rows` (dicts with the same keys, every column to write) in one
    INSERT, in list order, so a serial id grows with it; with `skip_conflicts_on`,
    ON CONFLICT (that column) DO NOTHING. Returns the `returning` column of the rows
    inserted (in no promised order: sort ids to match them with rows)."""
    if not rows:
        return []
    names = tuple(rows[0])
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"rows for {table.name} differ in their columns")
    cache_key = (table.name, names, returning, skip_conflicts_on)
    stmt = _BULK.get(cache_key)
    if stmt is None:
        unknown = [name for name in names if name not in table.c]
        if unknown:  # names go into the statement's text: only the table's own
            raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
        listed = ", ".join(names)
        sql = (
            f"INSERT INTO {table.name} ({listed}) "
            f"SELECT {', '.join(f'u.{name}' for name in names)} "
            f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS JSON)) "
            "WITH ORDINALITY AS u ORDER BY u.ordinality"
        )
        if skip_conflicts_on is not None:
            sql += f" ON CONFLICT ({skip_conflicts_on}) DO NOTHING"
        if returning is not None:
            sql += f" RETURNING {returning}"
        stmt = _BULK[cache_key] = text(sql)
    result = session.execute(stmt, {"rows": json_dumps(rows, default=_json_value)})
    return list(result.scalars()) if returning is not None else []


def _json_value(value: object) -> str:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a column value")


def any_of(column: Any, values: list[Any], postgres: bool) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(:array)`, one parameter whatever
    the number of values (see above)."""
    if postgres:
        found: ColumnElement[bool] = column == any_(bindparam(None, values, ARRAY(column.type)))
        return found
    listed: ColumnElement[bool] = column.in_(values)
    return listed


def update_rows(session: Session, table: Table, rows: list[dict[str, Any]]) -> None:
    """Many rows of one table updated by id in one statement: each row is its "id" and
    the columns to set (the same columns in every row). On PostgreSQL one UPDATE ..
    FROM the rows as one JSON document; elsewhere one UPDATE run for each row
    (executemany)."""
    if not rows:
        return
    names = tuple(name for name in rows[0] if name != "id")
    if any(row.keys() != rows[0].keys() for row in rows):
        raise ValueError(f"rows for {table.name} differ in their columns")
    unknown = [name for name in ("id", *names) if name not in table.c]
    if unknown:
        raise ValueError(f"{table.name} has no column {', '.join(unknown)}")
    if session.get_bind().dialect.name == "postgresql":
        cache_key = (table.name, names, "update", None)
        stmt = _BULK.get(cache_key)
        if stmt is None:
            sets = ", ".join(f"{name} = u.{name}" for name in names)
            stmt = _BULK[cache_key] = text(
                f"UPDATE {table.name} SET {sets} "
                f"FROM json_populate_recordset(NULL::{table.name}, CAST(:rows AS JSON)) AS u "
                f"WHERE {table.name}.id = u.id"
            )
        session.execute(stmt, {"rows": json_dumps(rows, default=_json_value)})
        return
    each = (
        table.update()
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(f"row_{name}") for name in names})
    )
    session.execute(each, [{f"row_{k}": v for k, v in row.items()} for row in rows])
