"""Apply Alembic migrations programmatically (`firebell migrate`, and at start).

Alembic itself (with Mako and Pygments, a tenth of `firebell serve`'s start-up) is
imported only when a migration runs: whether one must, and which revisions this code
ships, is read from the scripts' own `revision = ` lines (`shipped`), and a test holds
that reading equal to Alembic's.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text

from storage.db import Database

if TYPE_CHECKING:
    from alembic.config import Config

SCRIPT_LOCATION = Path(__file__).with_name("alembic")
_REVISION = re.compile(r"^revision\s*=\s*['\"]([^'\"]+)['\"]\s*$", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])\s*$", re.M)


def _scripts() -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPT_LOCATION))
    return cfg


def alembic_config(db: Database) -> Config:
    cfg = _scripts()
    cfg.attributes["engine"] = db.engine
    return cfg


@cache
def shipped() -> tuple[str, ...]:
    """Every migration this code ships, oldest first, read from the scripts' text (one
    line of history, as ours is); Alembic's own reading when the text says more."""
    links: dict[str | None, str] = {}
    for script in sorted((SCRIPT_LOCATION / "versions").glob("*.py")):
        source = script.read_text(encoding="utf-8")
        revision, down = _REVISION.search(source), _DOWN.search(source)
        if revision is None or down is None or down.group(1) in links:
            return _alembic_revisions()  # a branch, a merge, or a shape we do not read
        links[down.group(1)] = revision.group(1)
    ordered: list[str] = []
    at: str | None = None
    while at in links:
        at = links[at]
        ordered.append(at)
    return tuple(ordered) if len(ordered) == len(links) else _alembic_revisions()


def _alembic_revisions() -> tuple[str, ...]:
    from alembic.script import ScriptDirectory

    scripts = ScriptDirectory.from_config(_scripts())
    return tuple(script.revision for script in reversed(list(scripts.walk_revisions())))


@cache
def head_revision() -> str | None:
    """The newest migration this code ships (every start and /readyz needs it)."""
    known = shipped()
    return known[-1] if known else None


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
    from alembic import command

    command.upgrade(alembic_config(db), revision)


class UnknownRevision(ValueError):
    """A revision this release does not ship; the message says which it knows."""


def revisions() -> tuple[str, ...]:
    """Every migration this code ships, oldest first."""
    return shipped()


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
    from alembic import command

    command.downgrade(alembic_config(db), target)
    return f"downgraded from {current} to {target}"
