"""A Slack error with a body that is not Slack's JSON (a proxy's 500 page) is read as
http_<status>, not a crash in the error path."""

from __future__ import annotations

from slack_sdk.errors import SlackApiError
from slack_sdk.web.slack_response import SlackResponse

from bot.core.slack_steps import as_delivery_error, slack_error


def response(data: object, status: int) -> SlackResponse:
    return SlackResponse(
        client=None,
        http_verb="POST",
        api_url="x",
        req_args={},
        data=data,  # type: ignore[arg-type]
        headers={},
        status_code=status,
    )


def test_error_codes_from_json_and_from_pages() -> None:
    assert (
        slack_error(SlackApiError("no", response({"ok": False, "error": "not_in_channel"}, 200)))
        == "not_in_channel"
    )
    page = SlackApiError("no", response("<html>Bad Gateway</html>", 502))
    assert slack_error(page) == "http_502"
    error = as_delivery_error(page)
    assert str(error) == "Slack answered http_502" and not error.permanent  # retried
