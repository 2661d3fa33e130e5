"""A report's context from a browser, checked; its brief on the card and the issue page;
which files a report may carry."""

from __future__ import annotations

from bot.incidents.card_context import context_line, context_lines
from bot.incidents.file_rules import file_name, type_of
from bot.reports.config import IntakeConfig
from bot.reports.page_context import browser_context

FIREFOX = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0"


def test_what_a_page_tells_is_kept_only_in_its_shape() -> None:
    told = {
        "screen": "1440x900",
        "viewport": "<script>",
        "time_zone": "America/Argentina/Salta",
        "language": "de-CH\n",
    }
    ctx = browser_context(FIREFOX + "\x00", told)
    assert ctx.browser == "Firefox 133" and ctx.os == "Mac OS X 10.15"
    assert ctx.user_agent == FIREFOX and ctx.viewport is None and ctx.screen == "1440x900"
    assert ctx.time_zone == "America/Argentina/Salta" and ctx.language == "de-CH"
    assert browser_context(None, {"screen": "0x0", "language": 5}).as_stored() == {}


def test_the_cards_line_is_escaped_and_never_links() -> None:
    stored = {
        "via": "web",
        "browser": "Chrome 131",
        "os": "Linux",
        "screen": "1920x1080",
        "page_url": "https://shop.example.com/cart/<!channel>`?email=dana@example.com",
        "pages": ["/", "/cart"],
        "console_errors": [{"message": "TypeError: <@U123> is undefined\n  at cart.js:1"}],
    }
    line = context_line(stored)
    assert line == (
        ":globe_with_meridians: Web form · Chrome 131 on Linux · screen 1920x1080 · "
        "page `/cart/&lt;!channel&gt;'` · "
        "2 pages visited, 1 console error, first: `TypeError: &lt;@U123&gt; is undefined`"
    )
    assert ("First console error", "TypeError: <@U123> is undefined") in context_lines(stored)
    assert context_line(None) is None and context_line({}) is None
    assert context_lines({"console_errors": "not a list"}) == []


def test_a_files_type_comes_from_the_browser_or_its_name() -> None:
    rules = IntakeConfig().file_limits()
    assert type_of("session.har", "application/octet-stream") == "application/har+json"
    assert type_of("app.log", "") == "text/plain"
    assert type_of("x.png", "IMAGE/PNG; charset=x") == "image/png"
    assert file_name("C:\\Users\\dana\\shot\x07.png") == "shot.png"
    assert rules.refusal("image/png", 8, b"\x89PNG\r\n\x1a\n") is None
    assert rules.refusal("image/png", 4, b"<svg") == "it is not a PNG image, as its type says"
    assert rules.refusal("image/svg+xml", 1) == "it is image/svg+xml, which is not taken"
