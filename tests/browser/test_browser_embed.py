"""The embedded reporter in a real browser (Chromium through Playwright): a shop on
another origin (another loopback port), under a strict Content-Security-Policy, includes
Firebell's /embed.js; a JavaScript error is thrown, the visitor moves on twice (a link,
then the shop's own history.pushState), opens "Report a problem", sees what will be sent,
and files it. The new issue's card in Slack shows the console error and the page's
path; the status link shows where the report stands."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from aiohttp import web

from bot.config import FirebellConfig
from sandbox.workspace import User
from tests.browser.conftest import Browsing, ConfigOf
from tests.helpers import channel_of, issues

KEY = "pk_shop_browser_0123456789"
ERROR = "TypeError: embed-test cart.total is undefined"
EMBED_JS = Path(__file__).resolve().parents[2] / "bot" / "web" / "static" / "embed.js"

PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Shop: {title}</title>
<link rel="icon" href="data:,">
<script src="{firebell}/embed.js" data-key="{key}" async></script>
<script src="/shop.js" defer></script></head>
<body><h1>{title}</h1>{body}</body></html>"""
SHOP_JS = """
document.addEventListener("DOMContentLoaded", () => {
  const boom = document.getElementById("boom");
  if (boom) boom.addEventListener("click", () => {
    setTimeout(() => { throw new TypeError("embed-test cart.total is undefined"); });
  });
  const pay = document.getElementById("pay");
  if (pay) pay.addEventListener("click", () => {
    history.pushState({}, "", "/checkout/pay");
    document.querySelector("h1").textContent = "Pay";
  });
});
"""


@dataclass
class Shop:
    origin: str = ""
    firebell: str = ""  # set once Firebell runs (its port is chosen then)

    def csp(self) -> str:
        # As strict as a careful shop: scripts and fetches only from itself and Firebell,
        # no inline script or style anywhere.
        return (
            f"default-src 'self'; script-src 'self' {self.firebell}; "
            f"connect-src 'self' {self.firebell}; style-src 'self'; img-src 'self' data:"
        )

    async def page(self, request: web.Request) -> web.Response:
        title, body = {
            "/": ("Home", '<button id="boom">Add to cart</button> <a href="/cart">Cart</a>'),
            "/cart": ("Cart", '<button id="pay">Go to payment</button>'),
        }[request.path]
        html = PAGE.format(title=title, body=body, firebell=self.firebell, key=KEY)
        return web.Response(
            text=html, content_type="text/html", headers={"Content-Security-Policy": self.csp()}
        )

    async def script(self, _request: web.Request) -> web.Response:
        return web.Response(text=SHOP_JS, content_type="application/javascript")


@pytest.fixture
async def shop() -> AsyncIterator[Shop]:
    shop = Shop()
    app = web.Application()
    app.router.add_get("/", shop.page)
    app.router.add_get("/cart", shop.page)
    app.router.add_get("/shop.js", shop.script)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    shop.origin = f"http://{host}:{port}"
    try:
        yield shop
    finally:
        await runner.cleanup()


@pytest.fixture
def browsing_config(shop: Shop) -> ConfigOf:
    def config(_dana: User, _sam: User, _olga: User) -> FirebellConfig:
        site = {"key": KEY, "origins": [shop.origin], "service": "checkout"}
        return FirebellConfig.model_validate({"intake": {"sites": {"shop": site}}})

    return config


def test_embed_js_is_small() -> None:
    assert EMBED_JS.stat().st_size < 15 * 1024


async def test_a_visitor_files_a_report_from_another_site(browsing: Browsing, shop: Shop) -> None:
    w, h = browsing, browsing.h
    shop.firebell = h.bot_url
    assert shop.origin != h.bot_url
    page = await w.page()
    await page.goto(shop.origin + "/")
    await page.get_by_role("button", name="Report a problem").wait_for()
    await page.get_by_role("button", name="Add to cart").click()
    await page.wait_for_function(
        "() => (sessionStorage.getItem('firebell.errors') || '').includes('embed-test')"
    )
    await page.get_by_role("link", name="Cart").click()
    await page.wait_for_url(shop.origin + "/cart")
    await page.get_by_role("button", name="Go to payment").click()
    await page.wait_for_url(shop.origin + "/checkout/pay")

    await page.get_by_role("button", name="Report a problem").click()
    form = page.get_by_role("dialog", name="Report a problem")
    await form.get_by_label("Title").fill("Paying does nothing")
    await form.get_by_label("What happened?").fill("I pressed Add to cart, then Pay.")
    await form.get_by_label("Your e-mail (optional, for updates)").fill(w.dana.email)
    await form.get_by_text("What is sent with your report").click()
    shown = await form.inner_text()
    assert ERROR in shown and "/checkout/pay" in shown and "1 console error and 3 pages" in shown
    await w.shot(page, "embed-form")
    await form.get_by_role("button", name="Send report").click()
    link = form.get_by_role("link", name=h.bot_url + "/r/")
    await link.wait_for()
    assert "Thank you, your report is filed" in await form.inner_text()
    await w.shot(page, "embed-filed")

    await h.firebell.settle()
    issue = issues(h.firebell.runtime.db)[0]
    assert issue.context is not None
    assert [p.removeprefix(shop.origin) for p in issue.context["pages"]] == [
        "/",
        "/cart",
        "/checkout/pay",
    ]
    assert issue.reporter_id == w.dana.id  # her e-mail: she gets the reporter's DMs
    card = next(m for m in h.ws.messages_in(channel_of(h, issue).id) if m.blocks)
    shown_on_card = str(card.blocks)
    assert f"1 console error, first: `{ERROR}`" in shown_on_card
    assert "page `/checkout/pay`" in shown_on_card
    assert ERROR in (issue.stack_trace or "")

    status = await w.page()
    await status.goto(await link.get_attribute("href") or "")
    assert f"{issue.key}: Paying does nothing" in await status.inner_text("h1")
    assert "waiting for someone in engineering" in await status.inner_text("main")
    await w.shot(status, "status-link")
    # The error was thrown on purpose; everything else must have stayed quiet.
    w.errors[:] = [e for e in w.errors if "embed-test" not in e]
