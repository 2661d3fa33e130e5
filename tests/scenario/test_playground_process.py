"""`firebell playground` as a person starts it: a process that prints its URL, binds
127.0.0.1 and says so, serves the page, and stops cleanly on SIGTERM; a bad
--config is refused with the words `firebell serve` uses for it."""

from __future__ import annotations

import asyncio
import os
import signal
from pathlib import Path

import aiohttp

from tests.ports import free_port
from tests.processes import FIREBELL, run_firebell

# A bound for a hung process only: the start itself is measured in bench/playground_start.py.
HUNG = 120


async def test_the_playground_starts_prints_its_url_and_stops() -> None:
    port = free_port()
    process = await asyncio.create_subprocess_exec(
        FIREBELL, "playground", "--port", str(port), stdout=asyncio.subprocess.PIPE
    )
    try:
        assert process.stdout is not None
        first = (await asyncio.wait_for(process.stdout.readline(), HUNG)).decode()
        second = (await asyncio.wait_for(process.stdout.readline(), HUNG)).decode()
        url = f"http://127.0.0.1:{port}/playground/"
        assert first.strip() == f"Firebell playground: {url}"
        assert "bound to 127.0.0.1 (this machine only)" in second
        async with aiohttp.ClientSession() as http:
            async with http.get(url) as page:
                assert page.status == 200
                assert "<title>Firebell playground</title>" in await page.text()
                assert "script-src 'self'" in page.headers["Content-Security-Policy"]
            async with http.get(url + "api/people") as people:
                names = [p["real_name"] for p in (await people.json())["people"]]
        assert names == ["Dana (support)", "Sam (on call)", "Pat (on call)", "Alex (admin)"]
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), HUNG) == 0


async def test_a_bad_config_is_refused_as_serve_refuses_it(tmp_path: Path) -> None:
    config = tmp_path / "firebell.yml"
    config.write_text("schedules:\n  - name: sre\n    rotations: []\nslas: {}\n")
    code, err = await run_firebell(
        "playground", "--config", str(config), "--port", str(free_port()), env=dict(os.environ)
    )
    assert code == 2
    said = [line for line in err.splitlines() if line.startswith("firebell: configuration")]
    assert len(said) == 2
    assert f"firebell: configuration error: {config}: slas: is not a setting here" in err
    # What `firebell check-config` (which reads the file as serve does) says of it.
    env = {**os.environ, "FIREBELL_CONFIG": str(config), "DATABASE_URL": "sqlite://"}
    checked, check_err = await run_firebell("check-config", env=env)
    assert checked == 2
    about_the_file = f"firebell: configuration error: {config}: "
    assert said == [line for line in check_err.splitlines() if line.startswith(about_the_file)]
