"""The public status page: responders publish from Slack (`/incident status publish`,
the update form's checkbox); `/status`, its Statuspage-shaped JSON and its Atom feed
show published, non-private issues only, with their components, for anyone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import jsonschema
import pytest
import yaml
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from sandbox import Sandbox
from sandbox.workspace import Channel, User
from storage.models import Issue, StatusPost
from tests.helpers import (
    channel_of,
    fresh,
    last_text,
    new_view,
    run,
    slack_timeout,
    timeline_kinds,
)
from tests.helpers import file_another as file_issue

SCHEMA = json.loads((Path(__file__).parents[1] / "data" / "statuspage_v2.schema.json").read_text())
# docs/openapi.yaml's own description of the same answers, checked against them too.
OPENAPI = yaml.safe_load((Path(__file__).parents[2] / "docs" / "openapi.yaml").read_text())
DOCUMENTED = {"summary": "StatuspageSummary", "incidents": "StatuspageIncidents"}
ATOM = "{http://www.w3.org/2005/Atom}"
BIG = "partial_outage"
STATUS_PAGE = {
    "title": "Example Shop status",
    "components": [
        {"name": "Checkout", "services": ["checkout-api", "payments"]},
        {"name": "Search", "services": ["search"], "description": "Finding products"},
    ],
}


@dataclass
class Shop:
    h: Harness
    dana: User  # reports
    sam: User  # responds
    support: Channel

    async def get(self, path: str) -> tuple[int, str, Any]:
        """A visitor with no cookies at all, as a customer is."""
        async with aiohttp.ClientSession() as visitor:
            async with visitor.get(self.h.bot_url + path) as resp:
                return resp.status, await resp.text(), resp.headers

    async def json(self, name: str) -> dict[str, Any]:
        status, text, headers = await self.get(f"/status/api/v2/{name}.json")
        assert status == 200, text
        assert headers["Access-Control-Allow-Origin"] == "*"
        body = json.loads(text)
        jsonschema.validate(body, {**SCHEMA, "$ref": f"#/$defs/{name}"})
        documented = f"#/components/schemas/{DOCUMENTED[name]}"
        jsonschema.validate(body, {"components": OPENAPI["components"], "$ref": documented})
        return body

    async def feed(self) -> list[ET.Element]:
        status, text, headers = await self.get("/status/feed.atom")
        assert status == 200 and headers["Content-Type"].startswith("application/atom+xml")
        root = ET.fromstring(text.encode())
        assert root.tag == ATOM + "feed"
        return root.findall(ATOM + "entry")

    async def taken(self, **answers: object) -> tuple[Issue, Channel]:
        """Dana reports, Sam acknowledges (and so leads it)."""
        issue = await file_issue(self.h, self.dana, self.support, **answers)
        room = channel_of(self.h, issue)
        await run(self.h, self.sam, room, "ack")
        return issue, room


async def shop_running(
    database_url: str, clock: FakeClock, request: pytest.FixtureRequest, status_page: object
) -> AsyncIterator[Shop]:
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    ws = sandbox.workspace
    dana, sam = ws.add_user("dana", "Dana Reporter"), ws.add_user("sam", "Sam Responder")
    support = ws.add_channel("support", dana, sam, ws.bot)
    config = FirebellConfig.model_validate({"status_page": status_page} if status_page else {})
    try:
        # No SLACK_CLIENT_ID/SECRET: Sign in with Slack is off, the status page is not.
        async with running(
            database_url,
            clock=clock,
            config=config,
            sandbox=sandbox,
            slack_timeout_seconds=slack_timeout(request),
        ) as h:
            yield Shop(h, dana, sam, support)
    finally:
        await sandbox.stop()


@pytest.fixture
async def shop(
    database_url: str, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Shop]:
    async for running_shop in shop_running(database_url, clock, request, STATUS_PAGE):
        yield running_shop


@pytest.fixture
async def no_page(
    database_url: str, clock: FakeClock, request: pytest.FixtureRequest
) -> AsyncIterator[Shop]:
    async for running_shop in shop_running(database_url, clock, request, None):
        yield running_shop


def nobody_named(s: Shop, *surfaces: str) -> None:
    for text in surfaces:
        for person in (s.dana, s.sam):
            assert person.id not in text and person.real_name not in text
        assert "INC-" not in text  # the issue's key is Firebell's, not the customers'


async def test_a_published_issue_is_on_the_page_json_and_feed_and_nothing_else_is(
    shop: Shop,
) -> None:
    s = shop
    issue, room = await s.taken(severity="critical", service="checkout-api")
    await file_issue(s.h, s.dana, s.support, title="Search index is stale", service="search")
    quiet, _ = await s.taken(title="Admin export is slow", severity="minor", service="search")
    # Unpublished: filed, even taken, but never published.
    status, page, _ = await s.get("/status")
    assert status == 200 and "All Systems Operational" in page
    assert "Checkout fails" not in page and "Search index" not in page

    said = "We are looking into failed payments.\x07 <!channel> <b>bold</b>"
    answer = await run(s.h, s.sam, room, f"status publish {said}")
    assert answer == "Published to the status page as Identified: INC-1 is on it under Checkout."
    notice = last_text(s.h, room)
    assert notice.startswith(":satellite_antenna: Published to the status page")
    assert "&lt;!channel&gt; &lt;b&gt;bold&lt;/b&gt;" in notice and "<!channel>" not in notice
    assert "status_published" in timeline_kinds(s.h.firebell.runtime.db, issue)

    status, page, headers = await s.get("/status")
    assert status == 200
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert "Example Shop status" in page and "Checkout fails with 502" in page
    assert "&lt;!channel&gt; &lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold" not in page
    assert "Major Service Outage" in page and "Major outage" in page
    assert "Jan 5, 09:00 UTC" in page  # each update with its time
    assert "Admin export" not in page and "Search index" not in page
    nobody_named(s, page)

    summary = await s.json("summary")
    assert summary["status"] == {"indicator": "critical", "description": "Major Service Outage"}
    assert [(c["name"], c["status"]) for c in summary["components"]] == [
        ("Checkout", "major_outage"),
        ("Search", "operational"),  # Dana's search issues are not published
    ]
    [incident] = summary["incidents"]
    assert (incident["name"], incident["status"], incident["impact"]) == (
        "Checkout fails with 502",
        "identified",
        "critical",
    )
    assert [u["body"] for u in incident["incident_updates"]] == [said]
    assert [c["name"] for c in incident["components"]] == ["Checkout"]
    assert incident["shortlink"] == f"{s.h.bot_url}/status#incident-{incident['id']}"
    assert str(issue.id) != incident["id"] and len(incident["id"]) == 12
    listed = await s.json("incidents")
    assert [i["id"] for i in listed["incidents"]] == [incident["id"]]  # the same, stable id
    [entry] = await s.feed()
    assert entry.findtext(ATOM + "title") == "Checkout fails with 502: Identified"
    # XML cannot hold the bell character; the feed drops it (the JSON keeps it, escaped).
    assert entry.findtext(ATOM + "content") == said.replace("\x07", "")
    nobody_named(s, json.dumps(summary), json.dumps(listed), ET.tostring(entry, "unicode"))
    assert fresh(s.h.firebell.runtime.db, quiet).status == "assigned"


async def test_the_update_form_posts_the_update_and_publishes_it_when_ticked(
    shop: Shop,
) -> None:
    s = shop
    issue, room = await s.taken(severity="major", service="payments")
    seen = set(s.h.ws.views)
    await s.h.driver.slash_command(s.sam, room, "update")
    view = await new_view(s.h, s.sam, seen)
    assert "update_publish" in json.dumps(view.view["blocks"])
    before = len(s.h.ws.messages_in(room.id))
    named = {"update_text": f"<@{s.sam.id}> is on it", "update_publish": ["update_publish"]}
    reply = await s.h.driver.submit_view(s.sam, view, {**named, "next_update": "1h"})
    assert "without @mentions" in reply.json["errors"]["update_publish"]
    await s.h.firebell.settle()
    assert len(s.h.ws.messages_in(room.id)) == before  # neither posted nor published
    answers = {
        "update_text": "Payments are slow; we have found the cause.",
        "next_update": "1h",
        "update_publish": ["update_publish"],
    }
    reply = await s.h.driver.submit_view(s.sam, view, answers)
    assert reply.status == 200 and not reply.json, reply
    await s.h.firebell.settle()
    texts = [m.text for m in s.h.ws.messages_in(room.id)]
    assert any(t.startswith(":mega: *Update on INC-1*") for t in texts)  # posted as before
    assert "Published to the status page" in texts[-1]
    summary = await s.json("summary")
    [incident] = summary["incidents"]
    assert incident["incident_updates"][0]["body"] == "Payments are slow; we have found the cause."
    assert summary["components"][0]["status"] == "partial_outage"

    # Not ticked: an update, and nothing more on the status page.
    seen = set(s.h.ws.views)
    await s.h.driver.slash_command(s.sam, room, "update")
    view = await new_view(s.h, s.sam, seen)
    answers = {"update_text": "Internal: restarting pods", "next_update": "1h"}
    assert (await s.h.driver.submit_view(s.sam, view, answers)).status == 200
    await s.h.firebell.settle()
    [incident] = (await s.json("summary"))["incidents"]
    assert len(incident["incident_updates"]) == 1
    _, page, _ = await s.get("/status")
    assert "restarting pods" not in page
    assert fresh(s.h.firebell.runtime.db, issue).status == "assigned"


async def test_an_issue_made_private_leaves_every_surface_at_once(shop: Shop) -> None:
    s = shop
    issue, room = await s.taken(severity="critical")
    await run(s.h, s.sam, room, "status publish Checkout is failing for some customers")
    assert len((await s.json("summary"))["incidents"]) == 1
    db = s.h.firebell.runtime.db
    with db.session() as session:  # no command makes an issue private yet: as it would
        row = session.get(Issue, issue.id)
        assert row is not None
        row.private = True
        session.add(row)
        session.commit()
    _, page, _ = await s.get("/status")
    assert "Checkout fails" not in page and "Checkout is failing" not in page
    assert "All Systems Operational" in page
    summary = await s.json("summary")
    assert summary["incidents"] == [] and summary["status"]["indicator"] == "none"
    assert summary["components"][0]["status"] == "operational"
    assert (await s.json("incidents"))["incidents"] == []
    assert await s.feed() == []
    answer = await run(s.h, s.sam, room, "status publish More news")
    assert answer == "INC-1 is private: private issues never go on the public status page."


async def test_a_resolved_incident_stays_listed_for_seven_days(
    shop: Shop, clock: FakeClock
) -> None:
    s = shop
    _issue, room = await s.taken(severity="minor", service="search")
    await run(s.h, s.sam, room, "status publish Search results are incomplete")
    for step in ("status revise", "status retest", "fixed"):
        clock.advance(minutes=10)
        await run(s.h, s.sam, room, step)
    summary = await s.json("summary")
    assert summary["incidents"][0]["status"] == "monitoring"  # Fixed: being watched
    assert summary["components"][1]["status"] == "degraded_performance"
    clock.advance(minutes=10)
    assert await run(s.h, s.sam, room, "close Reindexed") == "INC-1 moved to Closed."
    answer = await run(s.h, s.sam, room, "status publish Search is back to normal.")
    assert answer.startswith("Published to the status page as Resolved")

    summary = await s.json("summary")
    assert summary["incidents"] == [] and summary["status"]["indicator"] == "none"
    assert summary["components"][1]["status"] == "operational"
    [incident] = (await s.json("incidents"))["incidents"]
    assert incident["status"] == "resolved" and incident["resolved_at"] is not None
    assert [u["status"] for u in incident["incident_updates"]] == ["resolved", "identified"]
    _, page, _ = await s.get("/status")
    assert "Resolved in the last 7 days" in page and "Search is back to normal." in page
    assert len(await s.feed()) == 2

    clock.advance(days=6, hours=23)
    _, page, _ = await s.get("/status")
    assert "Search results are incomplete" in page
    clock.advance(hours=1, minutes=1)
    _, page, _ = await s.get("/status")
    assert "Search results are incomplete" not in page
    assert "Nothing was resolved in the last 7 days." in page
    assert (await s.json("incidents"))["incidents"] == []
    assert await s.feed() == []
    with s.h.firebell.runtime.db.session() as session:  # gone from view, kept on record
        assert len(session.exec(select(StatusPost)).all()) == 2


async def test_components_take_the_worst_open_published_issue_on_their_services(
    shop: Shop,
) -> None:
    s = shop
    _checkout, room1 = await s.taken(severity="trivial", service="Payments")
    await run(s.h, s.sam, room1, "status publish Receipts show the wrong logo")
    summary = await s.json("summary")
    assert [c["status"] for c in summary["components"]] == ["operational", "operational"]
    assert summary["status"]["indicator"] == "none"  # trivial: impact none

    _search, room2 = await s.taken(severity="minor", service="search")
    await run(s.h, s.sam, room2, "status publish Search is slow")
    _big, room3 = await s.taken(severity="major", service="checkout-api")
    await run(s.h, s.sam, room3, "status publish Some card payments fail")
    summary = await s.json("summary")
    assert [c["status"] for c in summary["components"]] == [BIG, "degraded_performance"]
    assert summary["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert len(summary["incidents"]) == 3
    _other, room4 = await s.taken(severity="critical", service="billing")
    answer = await run(s.h, s.sam, room4, "status publish Invoices are late")
    assert answer.endswith("with no component (none lists the service billing).")
    summary = await s.json("summary")
    assert [c["status"] for c in summary["components"]] == [BIG, "degraded_performance"]
    assert summary["status"]["indicator"] == "critical"
    _, page, _ = await s.get("/status")
    assert "Partial outage" in page and "Degraded performance" in page


async def test_what_may_not_be_published_is_refused_and_nothing_is_written(
    shop: Shop,
) -> None:
    s = shop
    _issue, room = await s.taken()
    assert await run(s.h, s.sam, room, "status publish   ") == (
        "Write what customers should read: `/incident status publish <text>`."
    )
    assert await run(s.h, s.dana, room, "status publish It is all fine") == (
        "Only the commander, the assignee, the comms lead or an admin can publish "
        "INC-1 to the status page."
    )
    mentioned = f"status publish <@{s.sam.id}|sam> and <#{s.support.id}|support> are on it"
    assert await run(s.h, s.sam, room, mentioned) == (
        "Customers read this on a public page: write it without @mentions of people or "
        "groups and without #channels."
    )
    # `status <word>` still moves the status; a wrong word still says what would work.
    assert await run(s.h, s.sam, room, "status revise") == "INC-1 moved to Revise."
    wrong = await run(s.h, s.sam, room, "status publsh now")
    assert "publish <words for customers>" in wrong
    help_text = await run(s.h, s.sam, room, "help")
    assert "puts an update on the public status page" in help_text

    secret = await file_issue(s.h, s.dana, s.support, title="Salaries leak", private=["private"])
    secret_room = channel_of(s.h, secret)
    await run(s.h, s.dana, secret_room, "ack")
    assert await run(s.h, s.dana, secret_room, "status publish Leak") == (
        "INC-2 is private: private issues never go on the public status page."
    )
    seen = set(s.h.ws.views)
    await s.h.driver.slash_command(s.dana, secret_room, "update")
    view = await new_view(s.h, s.dana, seen)
    assert "update_publish" not in json.dumps(view.view["blocks"])  # never offered

    _closed, closed_room = await s.taken(title="Old problem")
    for step in ("status revise", "status retest", "fixed", "close"):
        await run(s.h, s.sam, closed_room, step)
    assert await run(s.h, s.sam, closed_room, "status publish All good now") == (
        "INC-3 is closed and was never on the status page, so it is not published now."
    )
    # On the form, the refusal shows on the checkbox, and the update is not posted either.
    seen = set(s.h.ws.views)
    await s.h.driver.slash_command(s.sam, closed_room, "update")
    view = await new_view(s.h, s.sam, seen)
    before = len(s.h.ws.messages_in(closed_room.id))
    reply = await s.h.driver.submit_view(
        s.sam,
        view,
        {"update_text": "Done", "next_update": "1h", "update_publish": ["update_publish"]},
    )
    assert "never on the status page" in reply.json["errors"]["update_publish"]
    await s.h.firebell.settle()
    assert len(s.h.ws.messages_in(closed_room.id)) == before
    with s.h.firebell.runtime.db.session() as session:
        assert session.exec(select(StatusPost)).all() == []
    assert (await s.json("summary"))["incidents"] == []


async def test_without_a_status_page_it_says_so_everywhere(no_page: Shop) -> None:
    s = no_page
    status, page, headers = await s.get("/status")
    assert status == 404 and "no status page" in page.lower()
    assert "Content-Security-Policy" in headers
    for path in (*(f"/status/api/v2/{n}.json" for n in DOCUMENTED), "/status/feed.atom"):
        status, text, _ = await s.get(path)
        assert status == 404 and "no status_page section" in json.loads(text)["detail"]
    issue, room = await s.taken()
    answer = await run(s.h, s.sam, room, "status publish Hello")
    assert answer.startswith("The status page is not set up")
    seen = set(s.h.ws.views)
    await s.h.driver.slash_command(s.sam, room, "update")
    view = await new_view(s.h, s.sam, seen)
    assert "update_publish" not in json.dumps(view.view["blocks"])
    assert fresh(s.h.firebell.runtime.db, issue).status == "assigned"


async def test_a_merged_duplicate_is_resolved_and_frees_its_component(shop: Shop) -> None:
    s = shop
    _, room1 = await s.taken(severity="major", service="search", title="Search is down")
    _, room2 = await s.taken(severity="major", service="search", title="No search results")
    await run(s.h, s.sam, room1, "status publish Search does not answer")
    await run(s.h, s.sam, room2, "status publish Searches come back empty")
    await run(s.h, s.sam, room2, "merge into INC-1")
    summary = await s.json("summary")
    assert [i["name"] for i in summary["incidents"]] == ["Search is down"]
    [merged] = [i for i in (await s.json("incidents"))["incidents"] if i["status"] == "resolved"]
    assert merged["name"] == "No search results" and merged["resolved_at"] is not None
    assert summary["components"][1]["status"] == "partial_outage"  # INC-1 is still open
