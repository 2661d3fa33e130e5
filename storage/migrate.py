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


class UnknownRevision(ValueError):
    """A revision this release does not ship; the message says which it knows."""


@cache
def revisions() -> tuple[str, ...]:
    """Every migration this code ships, oldest first."""
    scripts = ScriptDirectory.from_config(_scripts())
    return tuple(script.revision for script in reversed(list(scripts.walk_revisions())))


def newer_than_this_code(db: Database) -> str | None:
    """The database's migration when a newer release made it (this code cannot run on
    it, nor migrate it); None when this code knows it."""
    current = current_revision(db)
    return current if current is not None and current not in revisions() else None


def migrate_to(db: Database, revision: str) -> str:
    """Upgrade or downgrade to `revision` ("head" or a number such as 0009): the way
    back before running an older release. What was done, in words."""
    known = revisions()
    target = known[-1] if revision == "head" else revision
    if target not in known:
        raise UnknownRevision(f"no migration {revision}; this release has {', '.join(known)}")
    current = current_revision(db)
    if newer_than_this_code(db):
        raise UnknownRevision(
            f"the database is at migration {current}, newer than this release knows "
            f"(its latest is {known[-1]}): migrate with the release that made it"
        )
    at = known.index(current) if current is not None else -1
    if known.index(target) >= at:
        upgrade(db, target)
        return f"upgraded from {current or 'an empty database'} to {target}"
    command.downgrade(alembic_config(db), target)
    return f"downgraded from {current} to {target}"
