"""Replicas started together on an empty database all come up: the migration runs
once, under a lock, and the others wait and find nothing to do. Real processes."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from storage.db import normalise_url

PG_URL = os.environ.get("FIREBELL_TEST_DATABASE_URL")
FIREBELL = str(Path(sys.executable).with_name("firebell"))


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[str]:
    """A database nobody has migrated: a new PostgreSQL database, or a new SQLite file."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path}/empty.db"
        return
    admin_url = make_url(normalise_url(PG_URL))
    name = f"firebell_empty_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_three_processes_migrating_an_empty_database_at_once_all_succeed(
    empty_database: str,
) -> None:
    env = {**os.environ, "DATABASE_URL": empty_database}
    env.pop("SLACK_BOT_TOKEN", None)
    starts = [
        subprocess.Popen(
            [FIREBELL, "migrate"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for _ in range(3)
    ]
    results = [p.communicate(timeout=60) for p in starts]
    codes = [p.returncode for p in starts]
    assert codes == [0, 0, 0], [err.decode()[-500:] for _out, err in results]
    assert all(b"database is up to date" in out for out, _err in results)
