"""What the sandbox answers so the bot can deliver exactly once as Slack sees it:
message metadata, history and channel look-ups, file listings, and calls that Slack
performs but answers too late."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from slack_sdk.errors import SlackApiError
from slack_sdk.models.metadata import Metadata
from slack_sdk.web.async_client import AsyncWebClient

from sandbox import Sandbox, Workspace
from sandbox.workspace import Channel

KEY = {"event_type": "firebell_outbox", "event_payload": {"key": "issue-1:card"}}


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = await Sandbox(Workspace()).start()
    yield box
    await box.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> AsyncWebClient:
    return AsyncWebClient(token=sandbox.workspace.bot_token, base_url=sandbox.api_url)


@pytest.fixture
def room(sandbox: Sandbox) -> Channel:
    ws = sandbox.workspace
    return ws.add_channel("inc-1-room", ws.bot)


def impatient(sandbox: Sandbox, seconds: float = 0.3) -> AsyncWebClient:
    """A client that gives up quickly and does not retry, like the bot's after a timeout."""
    return AsyncWebClient(
        token=sandbox.workspace.bot_token,
        base_url=sandbox.api_url,
        timeout=seconds,  # type: ignore[arg-type]  # aiohttp takes fractions of a second
        retry_handlers=[],
    )


async def error_of(call: Any) -> str:
    with pytest.raises(SlackApiError) as caught:
        await call
    return str(caught.value.response["error"])


async def history(client: AsyncWebClient, channel: str, **kwargs: Any) -> dict[str, Any]:
    return (await client.conversations_history(channel=channel, **kwargs)).data  # type: ignore[return-value]


# -- 1. metadata on chat.postMessage / chat.update ---------------------------------------


async def test_metadata_is_stored_from_json_and_form_bodies(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    posted = await client.chat_postMessage(channel=room.id, text="card", metadata=KEY)
    # Slack echoes the event type; the payload of an undeclared type is not in the answer.
    assert posted["message"]["metadata"] == {"event_type": "firebell_outbox"}
    form = await client.api_call(
        "chat.postMessage",
        data={"channel": room.id, "text": "dm", "metadata": json.dumps(KEY)},
    )
    typed = await client.chat_postMessage(
        channel=room.id, text="typed", metadata=Metadata(event_type="x_y", event_payload={"n": 1})
    )
    plain = await client.chat_postMessage(channel=room.id, text="plain")
    stored = {m.ts: m.metadata for m in sandbox.workspace.messages_in(room.id)}
    assert stored[posted["ts"]] == KEY
    assert stored[form["ts"]] == KEY
    assert stored[typed["ts"]] == {"event_type": "x_y", "event_payload": {"n": 1}}
    assert stored[plain["ts"]] is None
    assert "metadata" not in plain["message"]


async def test_bad_metadata_is_refused_and_nothing_is_posted(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    def post(metadata: Any) -> Any:
        return client.api_call(
            "chat.postMessage", data={"channel": room.id, "text": "t", "metadata": metadata}
        )

    assert await error_of(post("{not json")) == "invalid_metadata_format"
    assert await error_of(post(json.dumps(["a"]))) == "invalid_metadata_format"
    json_body = client.api_call(
        "chat.postMessage", json={"channel": room.id, "text": "t", "metadata": "x"}
    )
    assert await error_of(json_body) == "invalid_metadata_format"
    bad: dict[str, Any]
    for bad in (
        {"event_payload": {}},  # no event_type
        {"event_type": "ok"},  # no event_payload
        {"event_type": "ok", "event_payload": "text"},
        {"event_type": "has.dot", "event_payload": {}},
        {"event_type": "has space", "event_payload": {}},
        {"event_type": "", "event_payload": {}},
        {"event_type": "x" * 256, "event_payload": {}},
        {"event_type": 7, "event_payload": {}},
    ):
        assert await error_of(post(json.dumps(bad))) == "invalid_metadata_schema", bad
    assert sandbox.workspace.messages_in(room.id) == []
    longest = {"event_type": "x" * 255, "event_payload": {"nested": {"list": [1, 2]}}}
    await client.chat_postMessage(channel=room.id, text="t", metadata=longest)
    assert sandbox.workspace.messages_in(room.id)[0].metadata == longest


async def test_update_keeps_replaces_or_removes_metadata(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    ts = (await client.chat_postMessage(channel=room.id, text="v1", metadata=KEY))["ts"]
    (message,) = sandbox.workspace.messages_in(room.id)
    await client.chat_update(channel=room.id, ts=ts, text="v2")
    assert message.metadata == KEY  # absent: kept
    other = {"event_type": "firebell_outbox", "event_payload": {"key": "issue-1:card2"}}
    await client.chat_update(channel=room.id, ts=ts, text="v3", metadata=other)
    assert message.metadata == other
    bad = client.chat_update(channel=room.id, ts=ts, text="v4", metadata={"event_type": "a-b"})
    assert await error_of(bad) == "invalid_metadata_schema"
    assert message.text == "v3" and message.metadata == other
    await client.chat_update(channel=room.id, ts=ts, text="v5", metadata={})
    assert message.metadata is None  # an empty object removes it


# -- 2. conversations.history -------------------------------------------------------------


async def test_history_carries_metadata_only_when_asked(
    client: AsyncWebClient, room: Channel
) -> None:
    await client.chat_postMessage(channel=room.id, text="tagged", metadata=KEY)
    await client.chat_postMessage(channel=room.id, text="untagged")
    with_all = await history(client, room.id, include_all_metadata=True)
    assert [m.get("metadata") for m in with_all["messages"]] == [None, KEY]
    as_json = await client.api_call(
        "conversations.history", json={"channel": room.id, "include_all_metadata": True}
    )
    assert as_json["messages"][1]["metadata"] == KEY
    for flag in ({}, {"include_all_metadata": False}):
        without = await history(client, room.id, **flag)
        assert all("metadata" not in m for m in without["messages"])


async def test_history_pages_newest_first_and_posts_do_not_shift_pages(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    stamps = [
        (await client.chat_postMessage(channel=room.id, text=f"m{i}"))["ts"] for i in range(5)
    ]
    first = await history(client, room.id, limit=2)
    assert [m["text"] for m in first["messages"]] == ["m4", "m3"]
    assert first["has_more"] is True
    cursor = first["response_metadata"]["next_cursor"]
    assert base64.b64decode(cursor).decode().startswith("next_ts:")
    await client.chat_postMessage(channel=room.id, text="meanwhile")
    second = await history(client, room.id, limit=2, cursor=cursor)
    assert [m["text"] for m in second["messages"]] == ["m2", "m1"]
    third = await history(
        client, room.id, limit=2, cursor=second["response_metadata"]["next_cursor"]
    )
    assert [m["text"] for m in third["messages"]] == ["m0"]
    assert third["has_more"] is False and third["response_metadata"]["next_cursor"] == ""
    everything = await history(client, room.id, limit=5000)  # capped at 999, not refused
    assert len(everything["messages"]) == 6

    between = await history(client, room.id, oldest=stamps[1], latest=stamps[3])
    assert [m["text"] for m in between["messages"]] == ["m2"]
    inclusive = await history(client, room.id, oldest=stamps[1], latest=stamps[3], inclusive=True)
    assert [m["text"] for m in inclusive["messages"]] == ["m3", "m2", "m1"]
    paged = await history(client, room.id, oldest=stamps[0], limit=1)
    assert paged["messages"][0]["text"] == "meanwhile" and paged["has_more"] is True
    rest = await history(
        client,
        room.id,
        oldest=stamps[0],
        limit=10,
        cursor=paged["response_metadata"]["next_cursor"],
    )
    assert [m["text"] for m in rest["messages"]] == ["m4", "m3", "m2", "m1"]


async def test_history_refuses_bad_cursors_and_timestamps(
    client: AsyncWebClient, room: Channel
) -> None:
    assert await error_of(client.conversations_history(channel=room.id, cursor="nope")) == (
        "invalid_cursor"
    )
    other_kind = base64.b64encode(b"team:C1").decode()
    assert await error_of(client.conversations_history(channel=room.id, cursor=other_kind)) == (
        "invalid_cursor"
    )
    assert await error_of(client.conversations_history(channel=room.id, latest="soon")) == (
        "invalid_ts_latest"
    )
    assert await error_of(client.conversations_history(channel=room.id, oldest="x")) == (
        "invalid_ts_oldest"
    )


# -- 3. conversations.list ----------------------------------------------------------------


async def test_list_shows_what_a_bot_token_sees(sandbox: Sandbox, client: AsyncWebClient) -> None:
    ws = sandbox.workspace
    dana = ws.add_user("dana", "Dana")
    general = ws.add_channel("general", dana)
    secret = ws.add_channel("secret", dana, private=True)
    created = (await client.conversations_create(name="inc-7-db", is_private=True))["channel"]
    public = (await client.conversations_create(name="inc-8-api"))["channel"]
    old = ws.add_channel("inc-0-old", ws.bot)
    old.is_archived = True
    await client.chat_postMessage(channel=dana.id, text="dm")  # opens a DM

    default = (await client.conversations_list())["channels"]
    assert [c["name"] for c in default] == ["general", "inc-8-api", "inc-0-old"]
    both = (await client.conversations_list(types="public_channel,private_channel"))["channels"]
    names = [c["name"] for c in both]
    assert "inc-7-db" in names and secret.name not in names  # private: members only
    mine = next(c for c in both if c["id"] == created["id"])
    assert mine["is_private"] is True and mine["is_member"] is True
    assert mine["creator"] == ws.bot.id and mine["created"] > 0
    theirs = next(c for c in both if c["id"] == general.id)
    assert theirs["is_member"] is False and theirs["is_private"] is False
    live = await client.conversations_list(types=["public_channel"], exclude_archived=True)
    assert [c["id"] for c in live["channels"]] == [general.id, public["id"]]
    ims = (await client.conversations_list(types="im"))["channels"]
    assert [(c["is_im"], c["user"]) for c in ims] == [(True, dana.id)]


async def test_list_pages_with_a_cursor(sandbox: Sandbox, client: AsyncWebClient) -> None:
    ws = sandbox.workspace
    made = [ws.add_channel(f"c-{i}", ws.bot).id for i in range(5)]
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = await client.conversations_list(limit=2, cursor=cursor)
        seen += [c["id"] for c in page["channels"]]
        pages += 1
        cursor = page["response_metadata"]["next_cursor"]
        if not cursor:
            break
    assert seen == made and pages == 3
    assert len((await client.conversations_list())["channels"]) == 5  # default limit 100
    assert len((await client.conversations_list(limit=1000))["channels"]) == 5


async def test_list_refuses_bad_arguments(client: AsyncWebClient) -> None:
    assert await error_of(client.conversations_list(types="channels")) == "invalid_types"
    assert await error_of(client.conversations_list(limit=1001)) == "invalid_limit"
    assert await error_of(client.conversations_list(limit=-1)) == "invalid_limit"
    assert await error_of(client.conversations_list(cursor="bad")) == "invalid_cursor"
    unknown = base64.b64encode(b"team:C404").decode()
    assert await error_of(client.conversations_list(cursor=unknown)) == "invalid_cursor"


# -- 4. "late": performed, answered after the client gave up ------------------------------


async def test_late_post_is_made_and_found_by_its_key(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    sandbox.faults.inject("chat.postMessage", "late", times=1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient(sandbox).chat_postMessage(channel=room.id, text="card", metadata=KEY)
    (call,) = sandbox.workspace.calls_to("chat.postMessage")
    assert call.ok and call.late and call.status == 200
    assert len(sandbox.workspace.messages_in(room.id)) == 1  # Slack did post it
    found = await history(client, room.id, include_all_metadata=True, limit=200)
    keys = [m.get("metadata", {}).get("event_payload") for m in found["messages"]]
    assert keys == [KEY["event_payload"]]
    await client.chat_postMessage(channel=room.id, text="next")  # the fault was used up
    assert not sandbox.workspace.calls_to("chat.postMessage")[-1].late


async def test_late_channel_and_pin_are_done_and_a_retry_sees_it(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    sandbox.faults.inject("conversations.create", "late", times=1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient(sandbox).conversations_create(name="inc-2-late")
    assert await error_of(client.conversations_create(name="inc-2-late")) == "name_taken"
    listed = (await client.conversations_list(types="public_channel,private_channel"))["channels"]
    adopted = [c for c in listed if c["name"] == "inc-2-late"]
    assert adopted[0]["creator"] == sandbox.workspace.bot.id and adopted[0]["is_member"]

    ts = (await client.chat_postMessage(channel=room.id, text="card"))["ts"]
    sandbox.faults.inject("pins.add", "late", times=1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient(sandbox).pins_add(channel=room.id, timestamp=ts)
    assert room.pins == [ts]
    assert await error_of(client.pins_add(channel=room.id, timestamp=ts)) == "already_pinned"


async def test_late_answer_arrives_after_the_hold_or_the_release(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    sandbox.faults.inject("chat.postMessage", "late", times=1, hold=0.2)
    loop = asyncio.get_running_loop()
    started = loop.time()
    answer = await client.chat_postMessage(channel=room.id, text="slow")  # a patient client
    assert answer["ok"] and loop.time() - started >= 0.2
    sandbox.faults.inject("*", "late")  # every method, held until released
    pending = asyncio.create_task(client.auth_test())
    await sandbox.workspace.wait_for(lambda: sandbox.workspace.calls_to("auth.test"))
    assert not pending.done()
    sandbox.faults.clear()
    assert (await asyncio.wait_for(pending, 2))["ok"]


async def test_late_failure_is_still_the_real_answer(
    sandbox: Sandbox, client: AsyncWebClient
) -> None:
    sandbox.faults.inject("chat.postMessage", "late", times=1, hold=0.05)
    assert await error_of(client.chat_postMessage(channel="C404", text="x")) == (
        "channel_not_found"
    )
    assert sandbox.workspace.calls[-1].late and not sandbox.workspace.calls[-1].ok


# -- 5. files: an upload can be checked before it is repeated -----------------------------


async def test_files_list_shows_what_was_shared_in_a_channel(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    ws = sandbox.workspace
    other = ws.add_channel("elsewhere", ws.bot)
    uploaded = await client.files_upload_v2(
        channel=room.id, content="# Review", filename="inc-1-review.md", title="INC-1 review"
    )
    file_id = uploaded["file"]["id"]
    listed = await client.files_list(channel=room.id)
    assert [(f["id"], f["name"], f["title"]) for f in listed["files"]] == [
        (file_id, "inc-1-review.md", "INC-1 review")
    ]
    shown = listed["files"][0]
    assert shown["channels"] == [room.id] and shown["user"] == ws.bot.id and shown["size"] == 8
    assert listed["paging"] == {"count": 100, "total": 1, "page": 1, "pages": 1}
    assert (await client.files_list(channel=other.id))["files"] == []
    assert [f["id"] for f in (await client.files_list(user=ws.bot.id))["files"]] == [file_id]
    info = await client.files_info(file=file_id)
    assert info["file"]["title"] == "INC-1 review"


async def test_files_list_filters_pages_and_refuses(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    ids = []
    for i in range(3):
        done = await client.files_upload_v2(channel=room.id, content="x", filename=f"f{i}.txt")
        ids.append(done["file"]["id"])
    page = await client.files_list(channel=room.id, count=2, page=2)
    assert [f["id"] for f in page["files"]] == [ids[0]]  # newest first: f2, f1 | f0
    assert page["paging"] == {"count": 2, "total": 3, "page": 2, "pages": 2}
    assert (await client.files_list(channel=room.id, types="images"))["files"] == []
    assert (await client.files_list(channel=room.id, ts_to="1"))["files"] == []
    assert await error_of(client.files_list(types="movies")) == "unknown_type"
    assert await error_of(client.files_list(user="U404")) == "user_not_found"
    assert await error_of(client.files_info(file="F404")) == "file_not_found"
    # started but never completed: not a file Slack lists
    started = await client.files_getUploadURLExternal(filename="half.txt", length=3)
    assert started["file_id"] not in [f["id"] for f in (await client.files_list())["files"]]


async def test_files_in_a_private_channel_are_hidden_from_non_members(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    ws = sandbox.workspace
    dana = ws.add_user("dana", "Dana")
    secret = ws.add_channel("secret", dana, private=True)
    ws.files["F9"] = {
        "name": "theirs.txt",
        "title": "theirs",
        "length": 1,
        "content": b"x",
        "user": dana.id,
        "created": 1,
        "completed": True,
        "channels": [secret.id],
    }
    assert (await client.files_list(channel=secret.id))["files"] == []
    assert await error_of(client.files_info(file="F9")) == "file_not_found"
    secret.members.add(ws.bot.id)
    (shown,) = (await client.files_list(channel=secret.id))["files"]
    assert shown["groups"] == [secret.id] and shown["channels"] == []


async def test_late_upload_completion_is_shared_anyway(
    sandbox: Sandbox, client: AsyncWebClient, room: Channel
) -> None:
    sandbox.faults.inject("files.completeUploadExternal", "late", times=1)
    with pytest.raises(asyncio.TimeoutError):
        await impatient(sandbox).files_upload_v2(
            channel=room.id, content="# Review", filename="inc-1-review.md", title="INC-1 review"
        )
    listed = (await client.files_list(channel=room.id))["files"]
    assert [f["title"] for f in listed] == ["INC-1 review"]
    assert [m.files for m in sandbox.workspace.messages_in(room.id)] == [[listed[0]["id"]]]
