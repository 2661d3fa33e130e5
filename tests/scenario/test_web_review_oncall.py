"""The Review page (edit and publish a review from the browser, through the same service
as Slack's modal and buttons) and the On call page (now, next, overrides, policies, pages)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlmodel import select

from bot.config import FirebellConfig
from bot.core.clock import FakeClock
from sandbox.workspace import User
from storage.models import FollowUp, Review
from tests.helpers import channel_of, file_another, file_report, run
from tests.scenario.test_web_sign_in import Web, browser, csrf, sign_in, web_running

SCRIPT = "<script>alert(1)</script>"


def _config(dana: User, sam: User, olga: User) -> FirebellConfig:
    """A schedule of Sam then Olga and a policy paging it, then PagerDuty."""
    return FirebellConfig(
        schedules=[
            {
                "name": "primary",
                "timezone": "UTC",
                "rotations": [
                    {
                        "participants": [sam.id, olga.id],
                        "shift": "1d",
                        "handoff": "2026-01-05T09:00",
                    }
                ],
            }
        ],
        escalation_policies=[
            {
                "name": "default",
                "steps": [
                    {"targets": [{"schedule": "primary"}], "wait": "10m"},
                    {"targets": [{"pagerduty": "secret-routing-key"}], "wait": "15m"},
                ],
            }
        ],
    )


@pytest.fixture
async def web(
    database_url: str, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Web]:
    async with web_running(database_url, clock, monkeypatch, _config) as running_web:
        yield running_web


async def test_a_review_is_edited_and_published_from_the_browser(
    web: Web, clock: FakeClock
) -> None:
    h, dana, sam = web.h, web.dana, web.sam
    issue = await file_report(h, dana, web.support, title="Checkout is slow")
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    async with browser() as b:
        await sign_in(b, h, sam)
        page = await (await b.get(f"{h.bot_url}/issues/INC-1")).text()
        assert 'href="/issues/INC-1/review"' in page and 'href="/oncall"' in page
        empty = await (await b.get(f"{h.bot_url}/issues/INC-1/review")).text()
        assert "There is no review draft for this issue yet" in empty
        await run(h, sam, room, "review")

        page = await (await b.get(f"{h.bot_url}/issues/INC-1/review")).text()
        assert "<h1>Post-incident review: INC-1 Checkout is slow</h1>" in page
        assert "<h2>Root cause</h2>" in page and "Not ready to publish" in page
        url = f"{h.bot_url}/issues/INC-1/review"
        due = (clock.now().date() + timedelta(days=2)).isoformat()
        form = {
            "csrf": csrf(page),
            "root_cause": f"A config push set the timeout to 50 ms {SCRIPT} [x](javascript:go())",
            "factors": "No canary\n- **Alert** threshold too high",
            "action_title1": "Canary config pushes",
            "action_owner1": dana.id,
            "action_due1": due,
        }
        # Preview re-renders on the server, saves nothing.
        preview = await b.post(url, data={**form, "action": "preview"})
        text = await preview.text()
        assert preview.status == 200 and "preview, not saved" in text
        assert "<strong>Alert</strong> threshold too high" in text
        assert SCRIPT not in text and "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert 'href="javascript' not in text
        with h.firebell.runtime.db.session() as session:
            assert "50 ms" not in str(session.exec(select(Review)).one().content)

        # A form with a problem says so, field by field, and keeps what was typed.
        bad = await b.post(url, data={**form, "action": "save", "action_due1": ""})
        text = await bad.text()
        assert bad.status == 400 and "Choose when this action is due." in text
        assert "Canary config pushes" in text
        forged = await b.post(url, data={**form, "action": "save", "action_owner1": "<b>x"})
        assert forged.status == 400 and "Choose who owns this action." in await forged.text()

        updates = len(h.ws.calls_to("chat.update"))
        saved = await b.post(url, data={**form, "action": "save"}, allow_redirects=False)
        assert saved.status == 303
        await h.firebell.settle()
        assert len(h.ws.calls_to("chat.update")) > updates  # the review message in Slack
        review_message = next(
            m
            for m in reversed(h.ws.messages_in(room.id))
            if m.text.startswith("Post-incident review of")
        )
        assert "50 ms" in str(review_message.blocks) and review_message.edited

        # Dana (the reporter) may read it but not publish it: the service's words.
        async with browser() as d:
            await sign_in(d, h, dana)
            page = await (await d.get(url)).text()
            refused = await d.post(url, data={"csrf": csrf(page), "action": "publish"})
            assert refused.status == 403
            assert "Only the commander" in await refused.text()

        page = await (await b.get(url)).text()
        published = await b.post(url, data={"csrf": csrf(page), "action": "publish"})
        text = await published.text()
        assert published.status == 200 and "The review of INC-1 is published." in text
        assert "<textarea" not in text  # a published review no longer changes
        assert "Canary config pushes" in text and due in text  # the follow-up
        await h.firebell.settle()
    with h.firebell.runtime.db.session() as session:
        review = session.exec(select(Review)).one()
        followups = session.exec(select(FollowUp)).all()
    assert review.status == "published" and review.published_by == sam.id
    assert [(f.title, f.owner_id) for f in followups] == [("Canary config pushes", dana.id)]
    # As when published from Slack: the message says so, the owner hears of it.
    assert "You own a follow-up from the review of INC-1" in h.ws.dms_to(dana.id)[-1].text
    review_message = next(
        m
        for m in reversed(h.ws.messages_in(room.id))
        if m.text.startswith("Post-incident review of")
    )
    assert "Published by" in str(review_message.blocks)


async def test_a_private_review_is_404_to_others_and_posts_need_csrf(web: Web) -> None:
    h, dana, olga = web.h, web.dana, web.olga
    await file_report(h, dana, web.support, title="Checkout is slow")
    secret = await file_another(h, dana, web.support, title="Payroll leak", private=["private"])
    await run(h, dana, channel_of(h, secret), "ack")
    await run(h, dana, channel_of(h, secret), "review")
    url = f"{h.bot_url}/issues/INC-2/review"
    async with browser() as b:
        await sign_in(b, h, olga)
        board = await (await b.get(h.bot_url + "/")).text()
        hidden = await b.get(url)
        assert hidden.status == 404 and "Payroll" not in await hidden.text()
        unknown = await b.get(f"{h.bot_url}/issues/INC-99/review")
        assert unknown.status == 404 and await unknown.text() == await hidden.text()
        posted = await b.post(url, data={"csrf": csrf(board), "action": "publish"})
        assert posted.status == 404
    async with browser() as d:
        await sign_in(d, h, dana)
        page = await (await d.get(url)).text()
        assert "Payroll leak" in page
        form = {"root_cause": "Changed by a forged form", "action": "save"}
        refused = await d.post(url, data=form, allow_redirects=False)
        assert refused.status == 403 and "expired" in await refused.text()
        refused = await d.post(url, data={**form, "csrf": "x" * 43}, allow_redirects=False)
        assert refused.status == 403
    with h.firebell.runtime.db.session() as session:
        review = session.exec(select(Review)).one()
    assert "forged" not in str(review.content) and review.status == "draft"


async def test_on_call_shows_now_next_overrides_policies_and_pages(
    web: Web, clock: FakeClock
) -> None:
    h, dana, sam, olga = web.h, web.dana, web.sam, web.olga
    async with browser() as b:
        await sign_in(b, h, dana)
        page = await (await b.get(h.bot_url + "/oncall")).text()
        now = re.search(r"<dt>Now</dt>\s*<dd>([^<]*)</dd>", page)
        upcoming = re.search(r"<dt>Next</dt>\s*<dd>([^<]*)</dd>", page)
        assert now is not None and now[1].startswith("Sam until")  # names, not ids
        assert upcoming is not None and upcoming[1].startswith("Olga from")
        assert "None now or to come." in page and "Nobody was paged this week." in page
        assert "whoever is on call for primary, then wait 10 min" in page
        assert "PagerDuty" in page and "secret-routing-key" not in page

        answer = await run(h, sam, web.support, f"override primary <@{dana.id}> 2h")
        assert "is on call for `primary`" in answer
        await file_report(h, olga, web.support, title=f"Login broken {SCRIPT}")
        clock.advance(minutes=14)
        await h.firebell.tick()
        await h.firebell.settle()

        page = await (await b.get(h.bot_url + "/oncall")).text()
        now = re.search(r"<dt>Now</dt>\s*<dd>([^<]*)</dd>", page)
        assert now is not None and now[1].startswith("Dana (override)")
        assert "Dana: 2026-01-05 09:00 to 2026-01-05 11:00 UTC" in page
        paged = re.search(r"<tr><td>([^<]*)</td><td>([^<]*)</td><td>(\d+)</td></tr>", page)
        assert paged is not None and paged.groups() == ("Dana", "primary", "1")
        assert SCRIPT not in page and dana.id not in page


async def test_the_review_page_names_people_and_previews_live(web: Web, clock: FakeClock) -> None:
    h, dana, sam, olga = web.h, web.dana, web.sam, web.olga
    issue = await file_report(h, dana, web.support, title="Checkout is slow")
    room = channel_of(h, issue)
    await run(h, sam, room, "ack")
    await run(h, sam, room, "review")
    url = f"{h.bot_url}/issues/INC-1/review"
    due = (clock.now().date() + timedelta(days=2)).isoformat()
    async with browser() as b:
        await sign_in(b, h, sam)
        page = await (await b.get(url)).text()
        # Names, not Slack ids: the commander and the owner picker.
        assert "Commander: Sam" in page
        assert f'<option value="{dana.id}">Dana</option>' in page
        # The live preview is an external script (no inline script under the CSP).
        assert '<script src="/static/review.js" defer></script>' in page
        js = await b.get(f"{h.bot_url}/static/review.js")
        assert js.status == 200 and "/preview" in await js.text()

        form = {
            "csrf": csrf(page),
            "root_cause": f"A timeout of 50 ms {SCRIPT} **bold**",
            "factors": "No canary",
            "action_title1": "Canary config pushes",
            "action_owner1": dana.id,
            "action_due1": due,
        }
        preview = await b.post(url + "/preview", data=form)
        fragment = await preview.text()
        assert preview.status == 200 and preview.content_type == "text/html"
        assert "<h2>Root cause</h2>" in fragment and "<strong>bold</strong>" in fragment
        assert SCRIPT not in fragment and "&lt;script&gt;alert(1)&lt;/script&gt;" in fragment
        assert "(owner: @Dana," in fragment and dana.id not in fragment
        assert "<html" not in fragment  # a fragment, rendered like the page's review
        with h.firebell.runtime.db.session() as session:
            assert "50 ms" not in str(session.exec(select(Review)).one().content)
        # Without the CSRF token: refused.
        refused = await b.post(url + "/preview", data={**form, "csrf": "x" * 43})
        assert refused.status == 403 and "50 ms" not in await refused.text()

        # Published: the follow-up's owner is named too.
        saved = await b.post(url, data={**form, "action": "save"}, allow_redirects=False)
        assert saved.status == 303
        page = await (await b.get(url)).text()
        await b.post(url, data={"csrf": csrf(page), "action": "publish"})
        await h.firebell.settle()
        page = await (await b.get(url)).text()
        assert "<td>Canary config pushes</td><td>Dana</td>" in page

    secret = await file_another(h, dana, web.support, title="Payroll leak", private=["private"])
    await run(h, dana, channel_of(h, secret), "ack")
    await run(h, dana, channel_of(h, secret), "review")
    async with browser() as o:
        await sign_in(o, h, olga)
        board = await (await o.get(h.bot_url + "/")).text()
        hidden = await o.post(
            f"{h.bot_url}/issues/{secret.key}/review/preview",
            data={"csrf": csrf(board), "root_cause": "peek"},
        )
        unknown = await o.post(
            f"{h.bot_url}/issues/INC-99/review/preview",
            data={"csrf": csrf(board), "root_cause": "peek"},
        )
        assert hidden.status == 404 and "Payroll" not in await hidden.text()
        assert unknown.status == 404 and await unknown.text() == await hidden.text()
