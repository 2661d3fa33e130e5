"""The README's screenshots of the web app, from the demo's data.

Starts `firebell demo --serve`, signs in as Sam through the sandbox's sign-in page in
Debian's Chromium (Playwright), and saves the board, INC-1's page, its review, the
Insights page, the report form (a similar issue suggested) and the public status page
under docs/images/:

    .venv/bin/python docs/screenshots.py
"""

from __future__ import annotations

import asyncio
import re
import signal
import sys
from pathlib import Path

from playwright.async_api import async_playwright

HERE = Path(__file__).resolve().parent
FIREBELL = str(Path(sys.executable).with_name("firebell"))
CHROMIUM = "/usr/bin/chromium"


async def main() -> int:
    demo = await asyncio.create_subprocess_exec(
        FIREBELL, "demo", "--serve", stdout=asyncio.subprocess.PIPE
    )
    assert demo.stdout is not None
    try:
        board = None
        while board is None:
            line = (await asyncio.wait_for(demo.stdout.readline(), 120)).decode()
            if not line:
                print("the demo ended before printing the board's URL", file=sys.stderr)
                return 1
            board = re.search(r"The board: (http://\S+/)", line)
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True)
            page = await browser.new_page(viewport={"width": 1100, "height": 700})
            await page.goto(board[1])
            await page.get_by_role("link", name="Sign in with Slack").click()
            await page.get_by_role("link", name=re.compile(r"Sam \(SRE\)")).click()
            await page.wait_for_url(board[1])
            await page.screenshot(path=HERE / "images" / "board.png", full_page=True)
            await page.goto(board[1] + "issues/INC-1")
            await page.set_viewport_size({"width": 1100, "height": 1000})
            await page.screenshot(path=HERE / "images" / "issue.png")  # its first screen
            await page.goto(board[1] + "issues/INC-1/review")
            await page.screenshot(path=HERE / "images" / "review.png", full_page=True)
            await page.goto(board[1] + "insights")
            await page.wait_for_function(  # charts.js has drawn each chart
                "() => [...document.querySelectorAll('[data-chart]')]"
                ".every((el) => el.querySelector('canvas'))"
            )
            await page.screenshot(path=HERE / "images" / "insights.png", full_page=True)
            await page.goto(board[1] + "report")
            await page.get_by_label("Title").press_sequentially("Checkout 502 on card payment")
            await page.locator("#similar a").first.wait_for()  # report.js found INC-1
            await page.screenshot(path=HERE / "images" / "report.png")  # its first screen
            # The public status page: INC-1 was published twice, and is resolved now.
            await page.goto(board[1] + "status")
            await page.set_viewport_size({"width": 900, "height": 700})
            await page.screenshot(path=HERE / "images" / "status.png", full_page=True)
            await browser.close()
        print(
            f"saved {HERE / 'images'}/board.png, issue.png, review.png, insights.png, "
            "report.png and status.png"
        )
        return 0
    finally:
        if demo.returncode is None:
            demo.send_signal(signal.SIGTERM)
        await demo.wait()


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
