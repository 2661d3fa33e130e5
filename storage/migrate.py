"""Apply Alembic migrations programmatically (`firebell migrate`, and at start)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from storage.db import Database

SCRIPT_LOCATION = Path(__file__).with_name("alembic")


def _scripts() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    return cfg


def alembic_config(db: Database) -> Config:
    cfg = _scripts()
    cfg.attributes["engine"] = db.engine
    return cfg


@cache
def head_revision() -> str | None:
    """The newest migration this code ships. Read once a process: loading the scripts
    compiles every one of them (~30 ms), and every start and /readyz needs it."""
    return ScriptDirectory.from_config(_scripts()).get_current_head()


def current_revision(db: Database) -> str | None:
    """The migration the database is at; None for a database nobody has migrated."""
    with db.engine.connect() as conn:
        if not inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(db: Database, revision: str = "head") -> None:
    # A database already at the head needs no lock and no migration environment:
    # every start (and every test) used to pay for Alembic's run to learn that.
    if revision == "head" and current_revision(db) == head_revision():
        return
    command.upgrade(alembic_config(db), revision)
