"""`firebell demo --serve`: the demo plays, then the web app stays up; a newcomer signs in
as a sandbox user at the printed URL and finds the demo's issues; SIGTERM ends it with 0."""

from __future__ import annotations

import asyncio
import os
import re
import signal

import aiohttp

from tests.processes import FIREBELL


async def test_demo_serve_prints_the_board_and_signs_in_a_sandbox_user() -> None:
    process = await asyncio.create_subprocess_exec(
        FIREBELL,
        "demo",
        "--serve",
        env={k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "FIREBELL_"))},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        printed: list[str] = []
        board = None
        while board is None:
            line = (await asyncio.wait_for(process.stdout.readline(), 120)).decode()
            assert line, "the demo ended before printing the board's URL:\n" + "".join(printed)
            printed.append(line)
            board = re.search(r"The board: (http://127\.0\.0\.1:\d+/)", line)
        assert b"sandbox user" in await asyncio.wait_for(process.stdout.readline(), 10)
        jar = aiohttp.CookieJar(unsafe=True)
        async with aiohttp.ClientSession(cookie_jar=jar) as b:
            start = await b.get(board[1] + "login?go=1", allow_redirects=False)
            authorize = start.headers["Location"]
            listing = await (await b.get(authorize)).text()
            assert "Sam (SRE)" in listing and "Dana (support)" in listing
            link = re.search(r'href="(\?[^"]*login_hint=[^"]+)">Sam \(SRE\)', listing)
            assert link is not None
            chosen = authorize.split("?")[0] + link[1].replace("&amp;", "&")
            page = await b.get(chosen)
            text = await page.text()
            assert page.status == 200 and "Signed in as Sam (SRE)" in text
            assert "INC-2" in text and "p99 search latency above 2 s" in text
            issue = await b.get(board[1] + "issues/INC-1")
            assert issue.status == 200 and "Checkout fails with 502" in await issue.text()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        code = await asyncio.wait_for(process.wait(), 30)
    assert code == 0
