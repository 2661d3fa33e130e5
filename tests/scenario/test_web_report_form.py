"""The web report form over HTTP: filed through the one entry point with the browser's
context and files (posted into the issue's channel), the reporter's DM, the modal's
rules with everything typed kept, files refused for type and size with nothing filed,
a double submit filed once, and similar issues under the one visibility rule."""

from __future__ import annotations

import io
import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from bot.demo.harness import Harness
from bot.reports.config import IntakeConfig
from tests.helpers import channel_of, issues, only_issue
from tests.scenario.test_web_sign_in import Web, browser, csrf, file, sign_in, web_running

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
LOG = b"12:00:01 ERROR checkout: card declined\n"
CHROME = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)
TOLD = {"screen": "1920x1080", "viewport": "1200x800", "time_zone": "Europe/Berlin"}
GOOD = {"title": "Checkout button does nothing", "type": "bug", "severity": "major"}


@pytest.fixture
async def web(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Web]:
    def config(*_people: Any) -> FirebellConfig:
        return FirebellConfig(intake=IntakeConfig(max_upload_mb=1))

    async with web_running(database_url, clock, monkeypatch, config) as running_web:
        yield running_web


def nonce(page: str) -> str:
    found = re.search(r'name="nonce" value="([^"]+)"', page)
    assert found is not None
    return found[1]


async def open_form(b: aiohttp.ClientSession, h: Harness) -> str:
    resp = await b.get(f"{h.bot_url}/report")
    assert resp.status == 200
    return await resp.text()


async def send(
    b: aiohttp.ClientSession,
    h: Harness,
    page: str,
    fields: dict[str, str],
    files: list[tuple[str, bytes, str]] = (),  # type: ignore[assignment]
) -> aiohttp.ClientResponse:
    """The form as a browser posts it: multipart, the file input last (empty if no file)."""
    form = aiohttp.FormData()
    for name, value in {"csrf": csrf(page), "nonce": nonce(page), **fields}.items():
        form.add_field(name, value)
    for name, data, kind in files or [("", b"", "application/octet-stream")]:
        # A stream: aiohttp warns of a body over 1 MB held as bytes.
        form.add_field("files", io.BytesIO(data), filename=name, content_type=kind)
    return await b.post(
        f"{h.bot_url}/report", data=form, headers={"User-Agent": CHROME}, allow_redirects=False
    )


async def test_a_report_filed_on_the_web_has_its_context_files_and_dm(web: Web) -> None:
    h = web.h
    async with browser() as b:
        await sign_in(b, h, web.dana)
        page = await open_form(b, h)
        assert 'enctype="multipart/form-data"' in page and 'type="file"' in page
        files = [("checkout.png", PNG, "image/png"), ("console.log", LOG, "")]
        resp = await send(b, h, page, {**GOOD, **TOLD, "language": "de-DE"}, files)
        assert resp.status == 303 and resp.headers["Location"] == "/issues/INC-1"
        await h.firebell.settle()

        issue = only_issue(h.firebell.runtime.db)
        assert issue.reporter_id == web.dana.id and issue.title == GOOD["title"]
        assert issue.context is not None
        assert issue.context["browser"] == "Chrome 131" and issue.context["os"] == "Linux"
        assert issue.context["via"] == "web" and issue.context["language"] == "de-DE"
        assert issue.environment == (
            "Chrome 131 on Linux; screen 1920x1080, viewport 1200x800; Europe/Berlin; de-DE"
        )
        channel = channel_of(h, issue)
        shared = [f for f in h.ws.files.values() if channel.id in f["channels"]]
        assert sorted((f["name"], f["content"]) for f in shared) == [
            ("checkout.png", PNG),
            ("console.log", LOG),
        ]
        dms = " ".join(m.text + str(m.blocks or "") for m in h.ws.dms_to(web.dana.id))
        assert "Thanks, your report is filed as *INC-1*" in dms
        card = str([m.blocks for m in h.ws.messages_in(channel.id)])
        assert "Web form · Chrome 131 on Linux · screen 1920x1080, viewport 1200x800" in card

        shown = await (await b.get(f"{h.bot_url}/issues/INC-1")).text()
        assert "<dt>Source</dt><dd>Web form</dd>" in shown
        assert "Chrome 131 on Linux" in shown and "screen 1920x1080, viewport 1200x800" in shown


async def test_errors_show_by_their_fields_and_keep_what_was_typed(web: Web) -> None:
    h = web.h
    async with browser() as b:
        await sign_in(b, h, web.sam)
        page = await open_form(b, h)
        typed = {
            "title": "",
            "type": "ufo",
            "severity": "major",
            "description": "<b>Steps</b> & more",
            "users_affected": "lots",
            "trace_id": "a b",
            "private": "private",
        }
        resp = await send(b, h, page, typed)
        text = await resp.text()
        assert resp.status == 400 and "Nothing was filed yet" in text
        assert 'id="title-error">Give the issue a short title' in text
        assert 'id="type-error">Choose one of: Outage, Bug' in text
        assert 'id="users_affected-error">Enter a whole number' in text
        assert 'id="trace_id-error">A trace or correlation ID has no spaces' in text
        assert "&lt;b&gt;Steps&lt;/b&gt; &amp; more</textarea>" in text
        assert 'value="lots"' in text and 'value="a b"' in text
        assert '<option value="major" selected>' in text
        assert 'name="private" value="private" checked' in text
        assert nonce(text) == nonce(page)  # the same form: sent again, it files once
    assert issues(h.firebell.runtime.db) == []


async def test_files_of_a_wrong_type_or_too_big_file_nothing(web: Web) -> None:
    h = web.h
    async with browser() as b:
        await sign_in(b, h, web.dana)
        page = await open_form(b, h)
        wrong = await send(b, h, page, GOOD, [("page.html", b"<script>", "text/html")])
        text = await wrong.text()
        assert wrong.status == 400
        assert "page.html: it is text/html, which is not taken" in text
        assert f'value="{GOOD["title"]}"' in text and "choose your files again" in text

        fake = await send(b, h, page, GOOD, [("shot.png", b"<html>", "image/png")])
        assert fake.status == 400 and "shot.png: it is not a PNG image" in await fake.text()

        big = PNG + b"x" * (1024 * 1024)
        over = await send(b, h, page, GOOD, [("huge.png", big, "image/png")])
        text = await over.text()
        assert over.status == 413 and "huge.png: it is over the 1.0 MB limit" in text
        assert f'value="{GOOD["title"]}"' in text

        half = PNG + b"x" * (600 * 1024)
        both = await send(b, h, page, GOOD, [("a.png", half, "image/png"), ("b.png", half, "")])
        text = await both.text()
        assert both.status == 413 and "The files together are over 1.0 MB" in text
    await h.firebell.settle()
    assert issues(h.firebell.runtime.db) == [] and h.ws.files == {}


async def test_a_double_submit_files_one_issue(web: Web) -> None:
    h = web.h
    async with browser() as b:
        await sign_in(b, h, web.dana)
        page = await open_form(b, h)
        first = await send(b, h, page, GOOD)
        again = await send(b, h, page, GOOD)
        assert first.status == again.status == 303
        assert first.headers["Location"] == again.headers["Location"] == "/issues/INC-1"
        other = await send(b, h, await open_form(b, h), GOOD)  # a new form is a new report
        assert other.headers["Location"] == "/issues/INC-2"
    await h.firebell.settle()
    assert [i.number for i in issues(h.firebell.runtime.db)] == [1, 2]


async def test_a_form_without_its_token_or_sign_in_files_nothing(web: Web) -> None:
    h = web.h
    async with browser() as b:
        resp = await b.get(f"{h.bot_url}/report", allow_redirects=False)
        assert resp.status == 302 and resp.headers["Location"] == "/login?next=/report"
        await sign_in(b, h, web.dana)
        page = await open_form(b, h)
        forged = page.replace(csrf(page), "x" * 43)
        resp = await send(b, h, forged, GOOD)
        assert resp.status == 403 and "expired" in await resp.text()
    assert issues(h.firebell.runtime.db) == []


async def test_similar_issues_only_those_the_person_may_see(web: Web) -> None:
    h = web.h
    await file(h, web.dana, web.support, title="Checkout fails for EU users")
    await file(h, web.dana, web.support, title="Checkout fails on payroll", private=["private"])
    await file(h, web.dana, web.support, title="Search is slow")
    async with browser() as nobody:
        resp = await nobody.get(f"{h.bot_url}/report/similar", params={"q": "checkout fails"})
        assert resp.status == 401 and (await resp.json())["reason"]
    async with browser() as olga, browser() as dana:
        await sign_in(olga, h, web.olga)
        resp = await olga.get(f"{h.bot_url}/report/similar", params={"q": "Checkout failing"})
        found = (await resp.json())["issues"]
        assert [i["key"] for i in found] == ["INC-1"]
        assert found[0] == {
            "key": "INC-1",
            "title": "Checkout fails for EU users",
            "status": "New",
            "url": "/issues/INC-1",
            "why": "same words: failing, checkout",  # the reasons, in the typed words
        }
        await sign_in(dana, h, web.dana)
        resp = await dana.get(f"{h.bot_url}/report/similar", params={"q": "Checkout failing"})
        assert sorted(i["key"] for i in (await resp.json())["issues"]) == ["INC-1", "INC-2"]
        short = await dana.get(f"{h.bot_url}/report/similar", params={"q": "ch"})
        assert (await short.json())["issues"] == []


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", b"no boundary"),
        ("multipart/form-data; boundary=xyz", b"--xyz\r\ngarbage without an end"),
        ("multipart/mixed; boundary=xyz", b"--xyz--\r\n"),
        ("application/json", b'{"title": "x"}'),
    ],
)
async def test_a_garbled_form_is_refused_plainly(web: Web, content_type: str, body: bytes) -> None:
    h = web.h
    async with browser() as b:
        await sign_in(b, h, web.dana)
        resp = await b.post(
            f"{h.bot_url}/report", data=body, headers={"Content-Type": content_type}
        )
        assert resp.status in (400, 403), await resp.text()
        assert "Traceback" not in await resp.text()
    assert issues(h.firebell.runtime.db) == []
