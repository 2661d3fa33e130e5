"""The Insights page after a scripted week: the same numbers as `/incident stats`, a
table and a CSV behind each chart, a private issue counted but never named, the
period chosen with a plain GET, and bad dates answered with words."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import pytest
from markupsafe import escape

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from tests.helpers import people
from tests.scenario.test_insights_history import HOOK_TOKEN, START, at, deploy, file, steer, t
from tests.scenario.test_web_sign_in import WEB, browser, sign_in

SECRET = "Payroll export leaks"


@dataclass
class Week:
    h: Harness
    dana: User
    sam: User
    olga: User
    support: Channel


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(START)


@pytest.fixture
async def week(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Week]:
    monkeypatch.setenv("SLACK_CLIENT_ID", WEB["slack_client_id"])
    monkeypatch.setenv("SLACK_CLIENT_SECRET", WEB["slack_client_secret"])
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    olga = sandbox.workspace.add_user("olga", "Olga")  # on call
    config = FirebellConfig.model_validate(
        {
            "sla": {
                "policies": {
                    "critical": {"acknowledge": "15m", "update": "off", "resolve": "off"},
                    "major": {"acknowledge": "1h", "update": "off", "resolve": "off"},
                    "minor": {"acknowledge": "off", "resolve": "off"},
                    "trivial": {"acknowledge": "off", "resolve": "off"},
                }
            },
            "schedules": [
                {
                    "name": "primary",
                    "timezone": "America/New_York",
                    "rotations": [
                        {"participants": [olga.id], "shift": "1w", "handoff": "2026-10-26T09:00"}
                    ],
                }
            ],
            "escalation_policies": [
                {"name": "default", "repeat": 0, "steps": [{"targets": [{"schedule": "primary"}]}]}
            ],
            "webhooks": {"tokens": {"deploy": HOOK_TOKEN}},
            "deploy_window": "2h",
        }
    )
    try:
        async with running(database_url, clock=clock, config=config, sandbox=sandbox, **WEB) as h:
            dana, sam, support = people(h)
            await play(h, clock, dana, sam, support)
            yield Week(h, dana, sam, olga, support)
    finally:
        await sandbox.stop()


async def play(h: Harness, clock: FakeClock, dana: User, sam: User, support: Channel) -> None:
    """A week: two deploys (one followed by an issue), a fixed and deployed issue, a
    private one whose SLA breached, a paged one, one left untouched."""
    await deploy(h, "checkout-api", "v41")
    await deploy(h, "search-api", "v7")
    a = await file(h, clock, dana, support, t(30, 11), service="checkout-api")
    await steer(
        h,
        sam,
        a,
        (t(30, 11, 10), "ack"),
        (t(30, 11, 20), "status revise"),
        (t(30, 11, 30), "status retest"),
        (t(30, 11, 50), "fixed"),
        (t(30, 12, 20), "deployed"),
    )
    b = await file(
        h, clock, dana, support, t(30, 13), title=SECRET, private=["private"], service="billing"
    )
    await at(h, clock, t(30, 13, 14))  # paged at 90 % of its 15 min (business hours)
    await at(h, clock, t(30, 13, 16))
    await steer(h, dana, b, (t(30, 13, 30), "ack"))
    c = await file(h, clock, dana, support, t(31, 15), severity="major", service="-rm")
    await steer(h, sam, c, (t(31, 15), "escalate"), (t(31, 15, 5), "ack"))
    await file(h, clock, dana, support, t(2, 22, 30, 11), severity="trivial")
    await at(h, clock, t(3, 0, 0, 11))


async def slack_stats(h: Harness, user: User, channel: Channel) -> list[tuple[str, str]]:
    reply = await h.driver.slash_command(user, channel, "stats 30d")
    assert reply.status == 200
    section = next(b for b in reply.json["blocks"] if "fields" in b)
    pairs = []
    for f in section["fields"]:
        label, value = f["text"].split("\n", 1)
        pairs.append((label.strip("*"), value))
    return pairs


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


async def test_the_page_shows_the_numbers_of_incident_stats(week: Week) -> None:
    h = week.h
    async with browser() as b:
        await sign_in(b, h, week.sam)
        resp = await b.get(f"{h.bot_url}/insights", params={"days": "30"})
        page = await resp.text()
        assert resp.status == 200
        pairs = await slack_stats(h, week.sam, week.support)
        assert len(pairs) == 10
        for label, value in pairs:
            assert f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" in page, label
        assert "50% (1 of 2 deploys)" in page  # change failure rate, as Slack says
        # The default period is the last 30 days, like `/incident stats`.
        assert page == await (await b.get(f"{h.bot_url}/insights")).text()
        # Each chart has its data as a table and as JSON for charts.js, no inline code.
        assert 'data-chart="times"' in page and 'type="application/json"' in page
        assert '<script src="/static/charts.js" defer>' in page
        assert "<script>" not in page and " style=" not in page
        csp = resp.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "unsafe-inline" not in csp
        for path in ("/static/charts.js", "/static/vendor/uplot-1.6.32.min.js"):
            assert (await b.get(h.bot_url + path)).status == 200


async def test_each_csv_has_its_header_and_rows(week: Week) -> None:
    h = week.h
    async with browser() as b:
        await sign_in(b, h, week.sam)
        page = await (await b.get(f"{h.bot_url}/insights?days=30")).text()

        async def get(chart: str) -> list[list[str]]:
            assert f'href="/insights/{chart}.csv?days=30"' in page
            resp = await b.get(f"{h.bot_url}/insights/{chart}.csv?days=30")
            assert resp.status == 200 and resp.content_type == "text/csv"
            assert "attachment" in resp.headers["Content-Disposition"]
            return rows_of(await resp.text())

        times = await get("times")
        assert times[0][:4] == [
            "week_from",
            "acknowledge_issues",
            "acknowledge_median_seconds",
            "acknowledge_p90_seconds",
        ]
        assert len(times) == 1 + 5  # 30 days: four whole weeks and two days
        filled = [r for r in times[1:] if r[1] != "0"]
        # The week from 25 October: acked after 10, 30 and 5 min; INC-1 fixed after 50,
        # deployed 30 min later; the untouched trivial one is filed the week after.
        assert filled[0][:7] == ["2026-10-25", "3", "600.0", "1800.0", "1", "3000.0", "3000.0"]
        assert filled[0][7:] == ["1", "1800.0", "1800.0"]

        assert await get("sla") == [
            ["clock", "severity", "met", "breached", "running", "compliance"],
            ["acknowledge", "critical", "1", "1", "0", "0.5"],
            ["acknowledge", "major", "1", "0", "0", "1.0"],
        ]
        # sam is not in the private issue: its service is not named, but it counts.
        services = await get("services")
        assert services == [
            ["service", "issues"],
            ["checkout-api", "2"],
            ["'-rm", "1"],  # a formula's first character: text to a spreadsheet
        ]
        assert await get("types") == [["type", "issues"], ["outage", "4"]]
        assert await get("sources") == [["source", "issues"], ["slack", "4"]]
        oncall = await get("oncall")
        assert oncall == [
            ["person", "user_id", "pages", "business_hours", "off_hours", "sleep_hours"],
            ["Olga", week.olga.id, "2", "1", "1", "0"],
        ]
        assert await get("deploys") == [
            ["service", "deploys"],
            ["checkout-api", "1"],
            ["search-api", "1"],
        ]
        assert await get("delivery") == [
            [
                "deploys",
                "deploys_per_week",
                "followed_by_issue",
                "change_failure_rate",
                "recovery_median_seconds",
            ],
            ["2", "0.47", "1", "0.5", "8400.0"],  # v41 at 10:00 -> INC-1 deployed 12:20
        ]
        resp = await b.get(f"{h.bot_url}/insights/nonsense.csv?days=30")
        assert resp.status == 404


async def test_a_private_issue_is_counted_but_never_named(week: Week) -> None:
    h = week.h
    for reader in (week.sam, week.dana):  # dana is its member: still no title anywhere
        async with browser() as b:
            await sign_in(b, h, reader)
            page = await (await b.get(f"{h.bot_url}/insights?days=30")).text()
            assert SECRET not in page
            for chart in ("times", "sla", "services", "types", "sources", "oncall", "deploys"):
                text = await (await b.get(f"{h.bot_url}/insights/{chart}.csv?days=30")).text()
                assert SECRET not in text
            if reader is week.sam:
                assert "billing" not in page and "1 private issue" in page
            else:
                assert "billing" in page  # named to its member, as in Slack


async def test_the_period_form_works_with_a_get_and_bad_dates_get_words(week: Week) -> None:
    h = week.h
    async with browser() as b:
        await sign_in(b, h, week.sam)
        page = await b.get(
            f"{h.bot_url}/insights", params={"from": "2026-10-30", "to": "2026-10-30"}
        )
        text = await page.text()
        assert page.status == 200
        assert "Issues filed from 2026-10-30 to 2026-10-30" in text
        assert "<dt>Filed</dt><dd>2" in text  # INC-1 and the private INC-2
        assert 'href="/insights/services.csv?from=2026-10-30&amp;to=2026-10-30"' in text
        services = await b.get(f"{h.bot_url}/insights/services.csv?from=2026-10-30&to=2026-10-30")
        assert rows_of(await services.text()) == [["service", "issues"], ["checkout-api", "1"]]
        for query in (
            {"from": "yesterday"},
            {"from": "2026-11-02", "to": "2026-10-01"},
            {"from": "2026-13-01"},
            {"days": "12"},
            {"from": "0001-01-01", "to": "9999-12-31"},
        ):
            resp = await b.get(f"{h.bot_url}/insights", params=query)
            text = await resp.text()
            assert resp.status == 400, query
            assert "That period cannot be shown" in text and '<form method="get"' in text
            csv_resp = await b.get(f"{h.bot_url}/insights/times.csv", params=query)
            assert csv_resp.status == 400
    async with browser() as anonymous:
        resp = await anonymous.get(f"{h.bot_url}/insights?days=90", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"].startswith("/login?next=")
