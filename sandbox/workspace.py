"""Workspace state: users, channels, messages, open views, triggers, and every API call."""

from __future__ import annotations

import asyncio
import itertools
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TRIGGER_TTL_SECONDS = 3.0


@dataclass
class User:
    id: str
    name: str
    real_name: str
    is_bot: bool = False
    tz: str = "Europe/London"
    deleted: bool = False  # a deactivated account: users.info still answers, with deleted
    email: str = ""  # the profile's e-mail; Workspace.add_user gives name@<domain>.example

    def to_api(self, team_id: str) -> dict[str, Any]:
        return {
            "id": self.id,
            "team_id": team_id,
            "name": self.name,
            "real_name": self.real_name,
            "is_bot": self.is_bot,
            "tz": self.tz,
            "deleted": self.deleted,
            "profile": {
                "real_name": self.real_name,
                "display_name": self.name,
                "email": self.email,
            },
        }


@dataclass
class Channel:
    id: str
    name: str
    is_private: bool = False
    is_im: bool = False
    is_archived: bool = False
    creator: str = ""
    created: int = 0
    members: set[str] = field(default_factory=set)
    pins: list[str] = field(default_factory=list)

    def to_api(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private and not self.is_im,
            "is_group": self.is_private,
            "is_im": self.is_im,
            "is_private": self.is_private,
            "is_archived": self.is_archived,
            "created": self.created,
            "creator": self.creator,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[dict[str, Any]] | None = None
    thread_ts: str | None = None
    ephemeral_to: str | None = None  # only this user sees it
    reactions: dict[str, set[str]] = field(default_factory=dict)
    edited: bool = False
    files: list[str] = field(default_factory=list)  # ids of files shared with the message
    metadata: dict[str, Any] | None = None  # {"event_type": ..., "event_payload": {...}}

    def to_api(self, *, metadata: bool = False) -> dict[str, Any]:
        """The message as Slack returns it; `metadata` only if asked (include_all_metadata)."""
        data: dict[str, Any] = {
            "type": "message",
            "user": self.user,
            "text": self.text,
            "ts": self.ts,
        }
        if self.blocks:
            data["blocks"] = self.blocks
        if self.thread_ts:
            data["thread_ts"] = self.thread_ts
        if metadata and self.metadata is not None:
            data["metadata"] = self.metadata
        return data


@dataclass
class OpenView:
    id: str
    user: str
    view: dict[str, Any]
    hash: str
    closed: bool = False


@dataclass
class Trigger:
    id: str
    user: str
    issued_at: float
    used: bool = False


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    ok: bool
    error: str | None
    status: int = 200
    at: float = field(default_factory=time.time)
    late: bool = False  # performed, but answered only after a "late" fault's hold


class Workspace:
    """Everything the fake Slack knows. All changes notify waiters."""

    def __init__(
        self,
        *,
        team_id: str = "T0SANDBOX",
        domain: str = "firebell-sandbox",
        clock: Callable[[], float] = time.monotonic,
        trigger_ttl: float = TRIGGER_TTL_SECONDS,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.team_id = team_id
        self.domain = domain
        self.clock = clock  # for trigger lifetimes: real seconds, whatever `now` says
        # Epoch seconds stamped on messages (their ts): the app's simulated time, if it has one.
        self.now = now
        self.trigger_ttl = trigger_ttl
        self.users: dict[str, User] = {}
        self.channels: dict[str, Channel] = {}
        self.messages: list[Message] = []
        self.views: dict[str, OpenView] = {}
        self.triggers: dict[str, Trigger] = {}
        self.calls: list[Call] = []
        self.responses: list[dict[str, Any]] = []  # posts to response_url
        self.usergroups: dict[str, set[str]] = {}  # S… id -> member user ids
        # F… id -> name, title, length, content, user, created, channels (where shared),
        # and for a person's upload its mimetype, app_visible (a modal's file input), deleted
        self.files: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        self._last_ts = 0
        self._changed = asyncio.Condition()
        self.version = 0  # counts changes: a watcher (the playground's page) compares it
        self.bot = self.add_user("firebell", "Firebell", is_bot=True)
        self.bot_id = "B0SANDBOX"
        self.bot_token = "xoxb-sandbox-bot-token"
        self.app_token = "xapp-1-sandbox-app-token"

    # -- ids -------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._ids):07d}"

    def new_ts(self) -> str:
        """Like Slack's: the time in microseconds, unique and increasing even when the
        clock stands still (Slack's ts identify a message in its channel)."""
        self._last_ts = max(int(self.now() * 1_000_000), self._last_ts + 1)
        return f"{self._last_ts // 1_000_000}.{self._last_ts % 1_000_000:06d}"

    # -- setup -----------------------------------------------------------
    def add_user(
        self, name: str, real_name: str, *, is_bot: bool = False, user_id: str | None = None
    ) -> User:
        """A new person; `user_id` gives them an id of one's choosing (a real workspace's
        id named in a firebell.yml under test)."""
        user = User(
            id=user_id or self.new_id("U"),
            name=name,
            real_name=real_name,
            is_bot=is_bot,
            email="" if is_bot else f"{name}@{self.domain}.example",
        )
        self.users[user.id] = user
        return user

    def add_channel(self, name: str, *members: User, private: bool = False) -> Channel:
        channel = Channel(
            id=self.new_id("G" if private else "C"),
            name=name,
            is_private=private,
            members={m.id for m in members},
            created=int(time.time()),
        )
        self.channels[channel.id] = channel
        return channel

    def dm_channel(self, user_id: str) -> Channel:
        """The bot's direct-message channel with a user (opened on first use)."""
        for channel in self.channels.values():
            if channel.is_im and channel.members == {user_id, self.bot.id}:
                return channel
        channel = Channel(
            id=self.new_id("D"), name=f"dm-{user_id}", is_im=True, members={user_id, self.bot.id}
        )
        self.channels[channel.id] = channel
        return channel

    def post(self, channel: Channel, user: User, text: str, **kwargs: Any) -> Message:
        message = Message(channel=channel.id, ts=self.new_ts(), user=user.id, text=text, **kwargs)
        self.messages.append(message)
        self.changed()
        return message

    def add_file(
        self,
        user: User,
        name: str,
        content: bytes,
        *,
        mimetype: str | None = None,
        app_visible: bool = False,
    ) -> str:
        """A file a person uploaded (to share with a message, or through a modal's file
        input: `app_visible`, handed to the app that opened the modal); returns its id."""
        file_id = self.new_id("F")
        self.files[file_id] = {
            "name": name,
            "length": len(content),
            "content": content,
            "title": name,
            "user": user.id,
            "created": int(self.now()),
            "completed": True,
            "channels": [],
            "mimetype": mimetype,
            "app_visible": app_visible,
        }
        return file_id

    def post_files(self, channel: Channel, user: User, text: str, *files: str) -> Message:
        """A message sharing files the person uploaded (add_file) in the channel."""
        for file_id in files:
            shared = self.files[file_id]["channels"]
            if channel.id not in shared:
                shared.append(channel.id)
        return self.post(channel, user, text, files=list(files))

    def delete_file(self, file_id: str) -> None:
        """Delete a file as its owner would: gone from downloads, files.info says so."""
        self.files[file_id]["deleted"] = True
        self.changed()

    def add_usergroup(self, *members: User) -> str:
        group_id = self.new_id("S")
        self.usergroups[group_id] = {m.id for m in members}
        return group_id

    def issue_trigger(self, user_id: str) -> str:
        trigger = Trigger(
            id=f"{next(self._ids)}.{self.team_id}.sandbox", user=user_id, issued_at=self.clock()
        )
        self.triggers[trigger.id] = trigger
        return trigger.id

    def use_trigger(self, trigger_id: str) -> str | None:
        """None if the trigger may open a view now, else Slack's error code."""
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            return "invalid_trigger_id"
        if trigger.used:
            return "exchanged_trigger_id"
        if self.clock() - trigger.issued_at > self.trigger_ttl:
            return "expired_trigger_id"
        trigger.used = True
        return None

    # -- reading ---------------------------------------------------------
    def channel_named(self, name: str) -> Channel | None:
        return next((c for c in self.channels.values() if c.name == name), None)

    def messages_in(self, channel_id: str) -> list[Message]:
        return [m for m in self.messages if m.channel == channel_id]

    def dms_to(self, user_id: str) -> list[Message]:
        return [
            m
            for m in self.messages
            if m.channel in self.channels
            and self.channels[m.channel].is_im
            and user_id in self.channels[m.channel].members
            and m.user == self.bot.id
        ]

    def ephemerals_to(self, user_id: str) -> list[str]:
        texts = [m.text for m in self.messages if m.ephemeral_to == user_id]
        texts += [r.get("text", "") for r in self.responses if r.get("user") == user_id]
        return texts

    def calls_to(self, method: str) -> list[Call]:
        return [c for c in self.calls if c.method == method]

    def open_views_of(self, user_id: str) -> list[OpenView]:
        return [v for v in self.views.values() if v.user == user_id and not v.closed]

    # -- waiting ---------------------------------------------------------
    def changed(self) -> None:
        self.version += 1

        async def notify() -> None:
            async with self._changed:
                self._changed.notify_all()

        try:
            asyncio.get_running_loop().create_task(notify())
        except RuntimeError:
            pass

    async def wait_for(self, predicate: Callable[[], Any], timeout: float = 20.0) -> Any:
        """Wait until predicate() is truthy (re-checked on every change); return its value.
        The bound is generous: it only costs time when something is wrong, and with four
        test lanes on two cores a modal once took over 5 s to open."""

        async def waiter() -> Any:
            async with self._changed:
                while not (result := predicate()):
                    await self._changed.wait()
                return result

        return await asyncio.wait_for(waiter(), timeout)
