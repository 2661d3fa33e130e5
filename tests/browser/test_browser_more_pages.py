"""More of the web app in a real browser (Chromium through Playwright): a review edited,
previewed, saved and published from its page; the Insights charts drawn and a CSV
downloaded; search by a word of a stack trace under the visibility rule; a person from
another workspace refused at sign-in; the issue page's timeline paged. No console errors
on any page (the `browsing` fixture checks), a screenshot of each page kept."""

from __future__ import annotations

import asyncio
import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from sandbox.workspace import User
from storage.models import Issue, TimelineEvent
from tests.browser.conftest import Browsing
from tests.helpers import channel_of, file_another, file_report, run
from tests.scenario.test_insights_history import HOOK_TOKEN, deploy

# For each chart on the page: its name, whether uPlot put a canvas there, its width, and
# how many of its pixels are painted (a blank canvas has none).
CHARTS_DRAWN = """() => [...document.querySelectorAll("[data-chart]")].map((el) => {
  const canvas = el.querySelector("canvas");
  if (!canvas) return [el.dataset.chart, 0, 0];
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
  return [el.dataset.chart, canvas.width, painted];
})"""


async def test_a_review_is_previewed_saved_and_published(
    browsing: Browsing, clock: FakeClock
) -> None:
    w, h = browsing, browsing.h
    issue = await file_report(h, w.dana, w.support, title="Checkout is slow")
    room = channel_of(h, issue)
    await run(h, w.sam, room, "ack")
    await run(h, w.sam, room, "review")
    page = await w.page()
    await w.sign_in(page, w.sam, "/issues/INC-1/review")
    assert "Review of INC-1: Checkout is slow" in await page.inner_text("h1")
    await w.shot(page, "review-draft")

    await page.get_by_label("Root cause").fill("A config push set the timeout to 50 ms")
    await page.get_by_label("Contributing factors (one a line)").fill("No canary")
    await page.get_by_label("Action 1").fill("Canary config pushes")
    await page.get_by_label("Owner").first.select_option(w.dana.id)
    due = (clock.now().date() + timedelta(days=2)).isoformat()
    await page.get_by_label("Due").first.fill(due)
    await page.get_by_role("button", name="Preview").click()
    await page.wait_for_load_state()
    assert "preview, not saved" in await page.inner_text("p.status")
    assert "50 ms" in await page.inner_text("article.review")
    await w.shot(page, "review-preview")

    await page.get_by_role("button", name="Save").click()
    await page.wait_for_load_state()
    assert "50 ms" in await page.inner_text("article.review")
    assert "preview, not saved" not in await page.inner_text("main")
    await w.shot(page, "review-saved")

    await page.get_by_role("button", name="Publish").click()
    await page.wait_for_load_state()
    assert "The review of INC-1 is published." in await page.inner_text("main")
    assert "Canary config pushes" in await page.inner_text("main")  # the follow-up
    await w.shot(page, "review-published")
    await h.firebell.settle()
    message = next(
        m
        for m in reversed(h.ws.messages_in(room.id))
        if m.text.startswith("Post-incident review of")
    )
    assert "Published by" in str(message.blocks) and "50 ms" in str(message.blocks)


def on_call_and_deploys(dana: User, sam: User, olga: User) -> FirebellConfig:
    """Olga on call (so an escalation pages her), and a token for the deploy webhook."""
    return FirebellConfig.model_validate(
        {
            "schedules": [
                {
                    "name": "primary",
                    "timezone": "UTC",
                    "rotations": [
                        {"participants": [olga.id], "shift": "1w", "handoff": "2026-01-05T09:00"}
                    ],
                }
            ],
            "escalation_policies": [
                {"name": "default", "repeat": 0, "steps": [{"targets": [{"schedule": "primary"}]}]}
            ],
            "webhooks": {"tokens": {"deploy": HOOK_TOKEN}},
        }
    )


@pytest.mark.parametrize("browsing_config", [on_call_and_deploys], ids=["on-call-and-deploys"])
async def test_insights_draws_each_chart_and_downloads_its_csv(
    browsing: Browsing, clock: FakeClock
) -> None:
    w, h = browsing, browsing.h
    await deploy(h, "checkout-api", "v41")
    first = await file_report(h, w.dana, w.support, title="Checkout is slow")
    await file_another(h, w.dana, w.support, title="Search is down", service="search-api")
    await run(h, w.sam, channel_of(h, first), "ack")
    assert "being escalated" in await run(h, w.sam, channel_of(h, first), "escalate")
    await h.firebell.settle()
    page = await w.page()
    today = clock.now().date()
    period = f"/insights?from={today - timedelta(days=6)}&to={today}"  # today included
    await w.sign_in(page, w.sam, period)
    await page.wait_for_function(
        "() => [...document.querySelectorAll('[data-chart]')].every(e => e.querySelector('canvas'))"
    )
    await w.shot(page, "insights")
    charts = await page.evaluate(CHARTS_DRAWN)
    names = [name for name, _, _ in charts]
    assert names == [
        "times",
        "sla",
        "services",
        "types",
        "sources",
        "oncall",
        "deploys",
    ]  # every chart of the page, each with data in this period
    for name, width, painted in charts:
        assert width > 0 and painted > 0, (name, width, painted)

    async with page.expect_download() as download_info:
        await page.get_by_role("link", name=re.compile(r"Download .* as CSV")).first.click()
    download = await download_info.value
    assert download.suggested_filename.endswith(".csv")
    path = await download.path()
    text = await asyncio.to_thread(Path(path).read_text)
    header = next(csv.reader(io.StringIO(text)))
    assert header[:4] == [
        "week_from",
        "acknowledge_issues",
        "acknowledge_median_seconds",
        "acknowledge_p90_seconds",
    ]


async def test_search_finds_a_stack_trace_word_but_no_private_issue(browsing: Browsing) -> None:
    w, h = browsing, browsing.h
    await file_report(
        h, w.dana, w.support, title="Cart loses items", stack_trace="File 'cart.py'\nZebraError"
    )
    await file_another(
        h,
        w.dana,
        w.support,
        title="Payroll export leaks salaries",
        private=["private"],
        stack_trace="File 'payroll.py'\nNarwhalError",
    )
    olga = await w.page()
    await w.sign_in(olga, w.olga, "/search?q=ZebraError")
    found = await olga.inner_text("main")
    assert "Cart loses items" in found and "INC-1" in found
    await w.shot(olga, "search-found")
    await olga.goto(h.bot_url + "/search?q=NarwhalError")
    hidden = await olga.inner_text("main")
    assert "Payroll" not in hidden and "INC-2" not in hidden
    await w.shot(olga, "search-private-hidden")

    dana = await w.page()
    await w.sign_in(dana, w.dana, "/search?q=NarwhalError")
    assert "Payroll export leaks salaries" in await dana.inner_text("main")


async def test_a_person_from_another_workspace_is_refused(browsing: Browsing) -> None:
    w, h = browsing, browsing.h
    h.sandbox.oidc.override = {"https://slack.com/team_id": "T0THER"}
    w.expected_statuses.add(403)  # the refusal's page answers 403 Forbidden
    page = await w.page()
    await page.goto(h.bot_url + "/")
    await page.get_by_role("link", name="Sign in with Slack").click()
    await page.get_by_role("link", name=re.compile(re.escape(w.dana.real_name))).click()
    await page.wait_for_load_state()
    assert "Not signed in" in await page.inner_text("h1")
    assert "another Slack workspace" in await page.inner_text("main")
    await w.shot(page, "other-workspace-refused")
    await page.goto(h.bot_url + "/")
    assert page.url.startswith(h.bot_url + "/login")  # no session came of it


async def test_the_timeline_pages_to_page_two(browsing: Browsing, clock: FakeClock) -> None:
    w, h = browsing, browsing.h
    await file_report(h, w.dana, w.support, title="Checkout is slow")
    with h.firebell.runtime.db.session() as session:
        issue = session.get(Issue, 1)
        assert issue is not None and issue.id is not None
        start = clock.now()
        for n in range(70):
            session.add(
                TimelineEvent(
                    issue_id=issue.id,
                    at=start + timedelta(minutes=n + 1),
                    actor_id=w.sam.id,
                    kind="status_update",
                    payload={"text": f"note number {n}"},
                )
            )
        session.commit()
    page = await w.page()
    await w.sign_in(page, w.dana, "/issues/INC-1")
    assert "Page 1 of 2" in await page.inner_text("main")
    assert "note number 69" not in await page.inner_text("main")
    await page.get_by_role("link", name="Later →").click()
    await page.wait_for_url("**/issues/INC-1?page=2")
    text = await page.inner_text("main")
    assert "Page 2 of 2" in text and "note number 69" in text
    await w.shot(page, "timeline-page-2")
    await page.get_by_role("link", name="← Earlier").click()
    await page.wait_for_url("**/issues/INC-1?page=1")
    assert "Page 1 of 2" in await page.inner_text("main")
