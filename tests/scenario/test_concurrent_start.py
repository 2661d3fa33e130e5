"""Replicas started together on an empty database all come up: the migration runs
once, under a lock, and the others wait and find nothing to do. Real processes."""

from __future__ import annotations

import os
import subprocess

from tests.processes import FIREBELL


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
