"""The embedded reporter's intake over HTTP: a good report becomes an issue with its
page's context and a status link; every refusal (no key, a wrong key, another site's
page, too many, too large, a file type not accepted, not a report) is a JSON reason
with nothing filed; hostile text is kept as text and pings nobody."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness, running
from bot.incidents.status_words import FOR_REPORTERS
from sandbox import Sandbox
from storage.models import Attachment, Issue, ReportLink
from tests.helpers import channel_of, fresh, issues
from tests.scenario.test_escaping import MARKUP, mrkdwn_texts

SHOP = "https://shop.example.com"
BLOG = "https://blog.example.com"
SHOP_KEY = "pk_shop_0123456789abcdef"
BLOG_KEY = "pk_blog_0123456789abcdef"
TINY_KEY = "pk_tiny_0123456789abcdef"
SECRET_KEY = "pk_secret_0123456789abcd"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
CONFIG = FirebellConfig.model_validate(
    {
        "intake": {
            "max_upload_mb": 1,
            "sites": {
                "shop": {
                    "key": SHOP_KEY,
                    "origins": [SHOP],
                    "service": "checkout",
                    "severity": "major",
                    "rate_per_minute": 300,
                },
                "blog": {"key": BLOG_KEY, "origins": [BLOG]},
                # Two reports a minute from one address, six from everyone together.
                "tiny": {"key": TINY_KEY, "origins": [SHOP], "rate_per_minute": 6},
                # Its reports are security issues, which the playbook makes private.
                "vault": {"key": SECRET_KEY, "origins": [SHOP], "type": "security"},
            },
        }
    }
)
ERROR = {
    "message": "TypeError: cart.total is undefined",
    "stack": "TypeError: cart.total is undefined\n    at pay (https://shop.example.com/app.js:12:5)",
    "at": "2026-03-02T10:00:00.000Z",
}


def report(report_id: str = "report-0001", **fields: Any) -> dict[str, Any]:
    return {
        "report_id": report_id,
        "title": "The pay button does nothing",
        "description": "I clicked Pay twice.",
        "context": {
            "page_url": "https://shop.example.com/checkout/pay?step=2",
            "pages": ["https://shop.example.com/", "https://shop.example.com/cart"],
            "console_errors": [ERROR],
            "screen": "1920x1080",
            "viewport": "1200x800",
            "time_zone": "Europe/Berlin",
            "language": "de-DE",
        },
        **fields,
    }


@dataclass
class Answer:
    status: int
    body: dict[str, Any]
    headers: Any


@dataclass
class Intake:
    h: Harness
    http: aiohttp.ClientSession

    @property
    def url(self) -> str:
        return self.h.bot_url + "/api/v1/reports"

    async def send(
        self,
        body: Any = None,
        *,
        key: str | None = SHOP_KEY,
        origin: str | None = SHOP,
        data: Any = None,
        headers: dict[str, str] | None = None,
        http: aiohttp.ClientSession | None = None,
    ) -> Answer:
        sent = {"User-Agent": CHROME, **(headers or {})}
        if key is not None:
            sent["X-Firebell-Key"] = key
        if origin is not None:
            sent["Origin"] = origin
        payload = {"json": body} if data is None else {"data": data}
        async with (http or self.http).post(self.url, headers=sent, **payload) as resp:
            text = await resp.text()
            return Answer(resp.status, json.loads(text) if text else {}, resp.headers)


@pytest.fixture
async def intake(database_url: str, clock: FakeClock) -> AsyncIterator[Intake]:
    sandbox = await Sandbox(now=lambda: clock.now().timestamp()).start()
    try:
        async with (
            running(database_url, clock=clock, config=CONFIG, sandbox=sandbox) as h,
            aiohttp.ClientSession() as http,
        ):
            yield Intake(h, http)
    finally:
        await sandbox.stop()


def refused(answer: Answer, status: int, words: str) -> None:
    assert answer.status == status, answer
    assert answer.headers["Content-Type"].startswith("application/problem+json")
    assert answer.body["status"] == status and words in answer.body["detail"], answer.body


async def test_a_report_becomes_an_issue_with_its_context_and_a_status_link(
    intake: Intake,
) -> None:
    h = intake.h
    answer = await intake.send(report())
    assert answer.status == 201, answer
    assert set(answer.body) == {"ok", "status_url"}  # the new report's link and nothing else
    assert answer.body["status_url"].startswith(h.bot_url + "/r/")
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP
    await h.firebell.settle()

    issue = fresh(h.firebell.runtime.db, issues(h.firebell.runtime.db)[0])
    assert (issue.title, issue.service, issue.severity, issue.type) == (
        "The pay button does nothing",
        "checkout",
        "major",
        "bug",
    )
    assert issue.reporter_id == "web:shop"
    assert issue.stack_trace is not None and "at pay (https://shop.example.com/app.js:12:5)" in (
        issue.stack_trace
    )
    assert issue.environment is not None and "Chrome 131 on Linux" in issue.environment
    assert issue.context is not None
    assert issue.context["page_url"] == "https://shop.example.com/checkout/pay?step=2"
    assert issue.context["via"] == "embed" and issue.context["site"] == "shop"
    assert issue.context["time_zone"] == "Europe/Berlin"

    card = next(m for m in h.ws.messages_in(channel_of(h, issue).id) if m.blocks)
    shown = str(card.blocks)
    assert "1 console error, first: `TypeError: cart.total is undefined`" in shown
    assert "page `/checkout/pay`" in shown
    assert "a visitor to shop" in shown

    # The same form sent again (a retry, a double click): the same link, one issue.
    again = await intake.send(report(title="Sent twice"))
    assert again.body["status_url"] == answer.body["status_url"]
    assert len(issues(h.firebell.runtime.db)) == 1

    async with intake.http.get(answer.body["status_url"]) as page:
        text = await page.text()
        assert page.status == 200
        assert page.headers["Referrer-Policy"] == "same-origin"
    assert f"{issue.key}: The pay button does nothing" in text
    assert FOR_REPORTERS[issue.status] in text  # type: ignore[index]
    assert "web:shop" not in text and "visitor" not in text
    async with intake.http.get(answer.body["status_url"] + ".json") as page:
        assert page.status == 200
        shown_json = await page.json()
    assert shown_json["key"] == str(issue.key) and shown_json["status"] == "New"
    assert shown_json["updates"] == []


async def test_cors_answers_the_listed_origins_only(intake: Intake) -> None:
    url = intake.url
    preflight = {"Access-Control-Request-Method": "POST"}
    async with intake.http.options(url, headers={"Origin": BLOG, **preflight}) as resp:
        assert resp.status == 204
        assert resp.headers["Access-Control-Allow-Origin"] == BLOG
        assert "X-Firebell-Key" in resp.headers["Access-Control-Allow-Headers"]
    async with intake.http.options(url, headers={"Origin": "https://evil.example"}) as resp:
        assert resp.status == 403
        assert "Access-Control-Allow-Origin" not in resp.headers
        assert "may not send reports" in (await resp.json())["detail"]

    # The blog's page with the shop's key, and a page of no site at all.
    refused(await intake.send(report(), origin=BLOG), 403, "site's own pages only")
    evil = await intake.send(report(), origin="https://evil.example")
    refused(evil, 403, "site's own pages only")
    assert "Access-Control-Allow-Origin" not in evil.headers
    assert issues(intake.h.firebell.runtime.db) == []


async def test_no_key_and_a_wrong_key_are_refused(intake: Intake) -> None:
    refused(await intake.send(report(), key=None), 401, "X-Firebell-Key")
    refused(await intake.send(report(), key="pk_nobody_0123456789abc"), 401, "not known")
    assert issues(intake.h.firebell.runtime.db) == []
    assert intake.h.ws.calls_to("chat.postMessage") == []


async def test_too_many_reports_wait_with_retry_after(intake: Intake) -> None:
    """Per address a third of the site's minute; the site as a whole its rate."""
    addresses = ["127.0.0.2", "127.0.0.3", "127.0.0.4", "127.0.0.5"]
    clients = [
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(local_addr=(a, 0))) for a in addresses
    ]
    try:
        statuses = []
        for n, client in enumerate(clients[:3]):
            for m in range(3):
                sent = await intake.send(report(f"tiny-{n}-{m}-x"), key=TINY_KEY, http=client)
                statuses.append(sent.status)
                if sent.status == 429:
                    refused(sent, 429, "Too many reports")
                    assert int(sent.headers["Retry-After"]) >= 1
                    assert sent.headers["Access-Control-Allow-Origin"] == SHOP
        assert statuses == [201, 201, 429] * 3
        # Six filed: the site's minute is full for a fresh address too.
        last = await intake.send(report("tiny-last-x"), key=TINY_KEY, http=clients[3])
        refused(last, 429, "Too many reports")
        assert 1 <= int(last.headers["Retry-After"]) <= 60
    finally:
        for client in clients:
            await client.close()
    assert len(issues(intake.h.firebell.runtime.db)) == 6
    # Another site's minute is its own.
    assert (await intake.send(report("shop-after-tiny"))).status == 201


async def test_too_large_is_refused_before_anything_is_filed(intake: Intake) -> None:
    big = b"x" * (1024 * 1024 + 1)
    form = aiohttp.FormData()
    form.add_field("report", json.dumps(report()), content_type="application/json")
    form.add_field("file", io.BytesIO(big), filename="huge.txt", content_type="text/plain")
    refused(await intake.send(data=form), 413, "larger than 1 MB")
    long_json = report(description="x" * 300_000)
    refused(await intake.send(long_json), 413, "larger than 0.25 MB")
    assert issues(intake.h.firebell.runtime.db) == []


async def test_files_of_an_accepted_type_only(intake: Intake) -> None:
    h = intake.h
    form = aiohttp.FormData()
    form.add_field("report", json.dumps(report()), content_type="application/json")
    form.add_field("file", b"MZ\x90\x00", filename="setup.exe", content_type="application/x-msdos")
    answer = await intake.send(data=form)
    refused(answer, 415, "image/jpeg, image/png")
    assert answer.headers["Access-Control-Allow-Origin"] == SHOP
    assert issues(h.firebell.runtime.db) == []

    png = b"\x89PNG\r\n\x1a\n" + bytes(200)
    form = aiohttp.FormData()
    form.add_field("report", json.dumps(report()), content_type="application/json")
    form.add_field("file", png, filename="cart.png", content_type="image/png")
    assert (await intake.send(data=form)).status == 201
    await h.firebell.settle()
    issue = issues(h.firebell.runtime.db)[0]
    with h.firebell.runtime.db.session() as session:
        files = session.exec(select(Attachment)).all()
        assert [(f.name, f.origin, f.size) for f in files] == [("cart.png", "embed", len(png))]
    room = channel_of(h, issue)
    assert [f["name"] for f in h.ws.files.values() if room.id in f["channels"]] == ["cart.png"]


async def test_what_is_not_a_report_is_refused_with_the_reason(intake: Intake) -> None:
    cases = [
        ({"json": report(title="   ")}, 422, "needs a title"),
        ({"json": report(title=" \x00\x07 ")}, 422, "control characters"),
        ({"json": report(title="x" * 151)}, 422, "longer than 150"),
        ({"json": report(report_id="no")}, 422, "report_id"),
        ({"json": report(email="not an address")}, 422, "e-mail"),
        ({"json": report(context={"pages": "not a list"})}, 422, "context.pages"),
        ({"json": ["a list"]}, 422, "JSON object"),
        ({"data": b"{not json", "headers": {"Content-Type": "application/json"}}, 400, "JSON"),
        ({"data": b"title=x", "headers": {"Content-Type": "text/plain"}}, 415, "json"),
        (  # a part header that is not a header (the fuzzer found it)
            {
                "data": b"--b\r\nContent-Disposition: form-data; "
                b'name="\xf1\x1e"\r\n\r\n{}\r\n--b--',
                "headers": {"Content-Type": "multipart/form-data; boundary=b"},
            },
            400,
            "could not be read",
        ),
        (
            {
                "data": b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\nx\r\n--b--',
                "headers": {"Content-Type": "multipart/form-data; boundary=b"},
            },
            415,
            "application/octet-stream, which is not taken",
        ),
    ]
    for sent, status, words in cases:
        answer = await intake.send(
            sent.get("json"), data=sent.get("data"), headers=sent.get("headers")
        )
        refused(answer, status, words)
    assert issues(intake.h.firebell.runtime.db) == []


async def test_markup_typed_by_a_person_is_refused_and_nothing_is_filed(intake: Intake) -> None:
    cases = [
        ({"title": "Pay fails <!channel>"}, "title has markup"),
        ({"title": "Pay <b>now</b>"}, "title has markup"),
        ({"description": "see <https://evil.example|here>"}, "description has markup"),
        ({"description": "ask <@U123>"}, "description has markup"),
        ({"title": "Pay \x1b[31mfails"}, "title has control characters"),
        ({"description": "ding\x07"}, "description has control characters"),
    ]
    for n, (fields, words) in enumerate(cases):
        answer = await intake.send(report(f"hostile-{n:04d}", **fields))
        refused(answer, 422, words)
    assert (
        issues(intake.h.firebell.runtime.db) == []
        and intake.h.ws.calls_to("chat.postMessage") == []
    )


async def test_markup_the_browser_captured_is_kept_as_text_and_pings_nobody(
    intake: Intake,
) -> None:
    h = intake.h
    hostile = "<!channel> look <https://evil.example|here> <@U123> <b>bold</b>"
    error = {"message": hostile, "stack": hostile + "\n    at x (evil.js:1:1)\x00"}
    sent = report(
        title="Pay fails: a < b and I <3 it",
        description="It says the total is wrong.",
        context={"page_url": "https://shop.example.com/<!channel>", "console_errors": [error]},
    )
    answer = await intake.send(sent)
    assert answer.status == 201, answer
    await h.firebell.settle()
    issue = issues(h.firebell.runtime.db)[0]
    assert issue.title == "Pay fails: a < b and I <3 it"
    assert issue.stack_trace is not None and hostile in issue.stack_trace
    assert "\x00" not in issue.stack_trace  # control characters gone
    checked = 0
    for call in h.ws.calls:
        for text in mrkdwn_texts(call.args):
            checked += 1
            for markup in (*MARKUP, "<b>"):
                assert markup not in text, f"{call.method} sent {markup!r} in {text[:200]!r}"
    assert checked > 5
    async with intake.http.get(answer.body["status_url"]) as page:
        text = await page.text()
    assert "a &lt; b and I &lt;3 it" in text and "a < b" not in text


async def test_an_email_of_a_slack_user_makes_them_the_reporter(intake: Intake) -> None:
    h = intake.h
    dana = h.ws.add_user("dana", "Dana")
    answer = await intake.send(report(email=dana.email.upper()))
    stranger = await intake.send(report("report-0002", email="someone@else.example"))
    assert set(answer.body) == set(stranger.body) == {"ok", "status_url"}  # the same answer
    await h.firebell.settle()
    mine, theirs = issues(h.firebell.runtime.db)
    assert mine.reporter_id == dana.id and theirs.reporter_id == "web:shop"
    dm = h.ws.dm_channel(dana.id)
    assert any(mine.key.__str__() in m.text for m in h.ws.messages_in(dm.id))
    assert dana.id in channel_of(h, mine).members
    with h.firebell.runtime.db.session() as session:
        emails = {link.email for link in session.exec(select(ReportLink))}
    assert emails == {dana.email.upper(), "someone@else.example"}


async def test_a_missing_link_and_a_private_ones_answer_the_same_404(intake: Intake) -> None:
    h = intake.h
    secret = await intake.send(report(title="Passwords in the log"), key=SECRET_KEY)
    assert secret.status == 201
    await h.firebell.settle()
    assert issues(h.firebell.runtime.db)[0].private
    url = secret.body["status_url"]
    unknown = h.bot_url + "/r/" + "A" * 32
    bodies = []
    for link in (url, unknown, url + ".json", unknown + ".json", h.bot_url + "/r/x"):
        async with intake.http.get(link) as page:
            assert page.status == 404
            bodies.append(await page.text())
    assert bodies[0] == bodies[1] and bodies[2] == bodies[3] and bodies[4] == bodies[0]
    assert "Passwords" not in "".join(bodies)


async def test_a_merged_report_shows_the_issue_it_joined_and_its_updates(
    intake: Intake,
) -> None:
    from bot.core.people import Actor
    from storage.models import StatusPost

    h = intake.h
    rt = h.firebell.runtime
    first = await intake.send(report("merged-first", title="Checkout is down"))
    second = await intake.send(report("merged-second", title="Cannot pay"))
    await h.firebell.settle()
    into, dup = issues(rt.db)
    assert into.id is not None and dup.id is not None
    await rt.db.run(rt.merges.merge, dup.id, into.id, Actor("U0ADMIN", is_admin=True))
    with rt.db.session() as session:
        session.add(
            StatusPost(
                issue_id=into.id,
                body="We found the cause <b>and</b> are fixing it.",
                status="identified",
                posted_at=FakeClock().now(),
            )
        )
    async with intake.http.get(second.body["status_url"] + ".json") as page:
        shown = await page.json()
    assert (shown["key"], shown["title"], shown["merged_into"]) == (
        str(dup.key),
        "Cannot pay",
        str(into.key),
    )
    assert shown["status_words"] == FOR_REPORTERS[into.status]  # type: ignore[index]
    assert [u["body"] for u in shown["updates"]] == ["We found the cause <b>and</b> are fixing it."]
    async with intake.http.get(first.body["status_url"]) as page:
        assert "We found the cause &lt;b&gt;and&lt;/b&gt; are fixing it." in await page.text()

    # Once the issue it joined is private, the report shows itself (closed) instead.
    with rt.db.session() as session:
        row = session.get(Issue, into.id)
        assert row is not None
        row.private = True
    async with intake.http.get(second.body["status_url"] + ".json") as page:
        shown = await page.json()
    assert shown["merged_into"] is None and shown["status"] == "Closed"
    assert shown["updates"] == []


async def test_the_issue_page_shows_the_page_and_the_console_errors(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.scenario.test_web_sign_in import browser, sign_in, web_running

    async with web_running(database_url, clock, monkeypatch, lambda *_: CONFIG) as w:
        h = w.h
        async with aiohttp.ClientSession() as http:
            assert (await Intake(h, http).send(report())).status == 201
        await h.firebell.settle()
        issue = issues(h.firebell.runtime.db)[0]
        async with browser() as olga:
            await sign_in(olga, h, w.olga)
            async with olga.get(f"{h.bot_url}/issues/{issue.key}") as page:
                text = await page.text()
    assert '<dt>Page</dt><dd class="context">/checkout/pay</dd>' in text
    assert '<dt>Captured</dt><dd class="context">2 pages visited, 1 console error</dd>' in text
    assert "TypeError: cart.total is undefined" in text
