"""The sandbox answers like Slack, so bugs that Slack would catch are caught here."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from sandbox import Sandbox, Workspace


class Ticker:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def ticker() -> Ticker:
    return Ticker()


@pytest.fixture
async def sandbox(ticker: Ticker) -> AsyncIterator[Sandbox]:
    box = await Sandbox(Workspace(clock=ticker)).start()
    yield box
    await box.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.workspace.bot_token, base_url=sandbox.api_url)


async def error_of(call: object) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call  # type: ignore[misc]
    return str(caught.value.response["error"])


async def test_channel_names_follow_slacks_rules(client: AsyncWebClient) -> None:
    assert await error_of(client.conversations_create(name="Has Caps")) == "invalid_name_specials"
    assert await error_of(client.conversations_create(name="x" * 81)) == "invalid_name_maxlength"
    assert await error_of(client.conversations_create(name="")) == "invalid_name_required"
    await client.conversations_create(name="inc-1-ok")
    assert await error_of(client.conversations_create(name="inc-1-ok")) == "name_taken"


async def test_membership_is_enforced(sandbox: Sandbox, client: AsyncWebClient) -> None:
    ws = sandbox.workspace
    dana = ws.add_user("dana", "Dana")
    public = ws.add_channel("general", dana)
    private = ws.add_channel("secret", dana, private=True)
    assert await error_of(client.chat_postMessage(channel=public.id, text="hi")) == "not_in_channel"
    assert await error_of(client.chat_postMessage(channel=private.id, text="hi")) == (
        "channel_not_found"
    )
    await client.conversations_join(channel=public.id)
    await client.chat_postMessage(channel=public.id, text="hi")
    assert await error_of(client.conversations_invite(channel=public.id, users=dana.id)) == (
        "already_in_channel"
    )
    assert await error_of(client.conversations_invite(channel=public.id, users="U404")) == (
        "user_not_found"
    )


async def test_trigger_ids_work_once_and_for_three_seconds(
    sandbox: Sandbox, client: AsyncWebClient, ticker: Ticker
) -> None:
    ws = sandbox.workspace
    dana = ws.add_user("dana", "Dana")
    view = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Hi"},
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}],
    }
    trigger = ws.issue_trigger(dana.id)
    await client.views_open(trigger_id=trigger, view=view)
    assert await error_of(client.views_open(trigger_id=trigger, view=view)) == (
        "exchanged_trigger_id"
    )
    late = ws.issue_trigger(dana.id)
    ticker.now += 3.5
    assert await error_of(client.views_open(trigger_id=late, view=view)) == "expired_trigger_id"
    assert await error_of(client.views_open(trigger_id="made-up", view=view)) == (
        "invalid_trigger_id"
    )


async def test_block_kit_limits_are_enforced(sandbox: Sandbox, client: AsyncWebClient) -> None:
    ws = sandbox.workspace
    ws.add_channel("ops", ws.bot)
    channel = ws.channel_named("ops")
    assert channel is not None
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "x"}}
    too_many = [section] * 51
    assert await error_of(
        client.chat_postMessage(channel=channel.id, text="t", blocks=too_many)
    ) == ("invalid_blocks")
    long_text = [{"type": "section", "text": {"type": "mrkdwn", "text": "x" * 3001}}]
    assert await error_of(
        client.chat_postMessage(channel=channel.id, text="t", blocks=long_text)
    ) == ("invalid_blocks")
    assert await error_of(client.api_call("chat.postMessage", json={"channel": channel.id})) == (
        "no_text"
    )
    dana = ws.add_user("dana", "Dana")
    modal = {
        "type": "modal",
        "title": {"type": "plain_text", "text": "A title over 24 chars long"},
        "blocks": [section],
    }
    error = await error_of(client.views_open(trigger_id=ws.issue_trigger(dana.id), view=modal))
    assert error == "invalid_arguments"
    meta = {**modal, "title": {"type": "plain_text", "text": "ok"}, "private_metadata": "m" * 3001}
    error = await error_of(client.views_open(trigger_id=ws.issue_trigger(dana.id), view=meta))
    assert error == "invalid_arguments"


async def test_tokens_are_checked(sandbox: Sandbox) -> None:
    wrong = AsyncWebClient(token="xoxb-wrong", base_url=sandbox.api_url)
    assert await error_of(wrong.auth_test()) == "invalid_auth"
    app = AsyncWebClient(token=sandbox.workspace.app_token, base_url=sandbox.api_url)
    assert await error_of(app.auth_test()) == "not_allowed_token_type"
    url = (await app.apps_connections_open(app_token=sandbox.workspace.app_token))["url"]
    assert url.startswith("ws://127.0.0.1:")


async def test_faults_answer_like_slack_under_load(sandbox: Sandbox) -> None:
    client = AsyncWebClient(
        token=sandbox.workspace.bot_token, base_url=sandbox.api_url, retry_handlers=[]
    )
    sandbox.faults.inject("auth.test", "ratelimit", times=1, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        await client.auth_test()
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert (await client.auth_test())["ok"]
    sandbox.faults.inject("*", "server_error", status=503)
    with pytest.raises(SlackApiError):
        await client.users_info(user=sandbox.workspace.bot.id)
    assert sandbox.workspace.calls[-1].status == 503


def test_messages_are_stamped_with_the_clock_given_unique_while_it_stands_still() -> None:
    moment = [1_767_603_600.0]  # 2026-01-05 09:00 UTC, a simulated time
    ws = Sandbox(now=lambda: moment[0]).workspace
    room = ws.add_channel("room", ws.bot)
    first, second = ws.post(room, ws.bot, "one"), ws.post(room, ws.bot, "two")
    assert first.ts == "1767603600.000000" and second.ts == "1767603600.000001"
    moment[0] -= 60  # a clock set back never reuses or reorders a ts
    assert float(ws.post(room, ws.bot, "three").ts) > float(second.ts)
    moment[0] += 3600
    assert ws.post(room, ws.bot, "four").ts == "1767607140.000000"  # 09:59 UTC
