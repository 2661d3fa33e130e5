"""The Web API methods, answering as Slack does (including its error codes)."""

from __future__ import annotations

import base64
import math
import mimetypes
import re
import time
from collections.abc import Callable
from typing import Any

from sandbox.blockkit import MAX_MESSAGE_TEXT, message_problems, view_problems
from sandbox.workspace import Channel, Message, OpenView, Workspace

CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")
EVENT_TYPE = re.compile(r"^[a-zA-Z0-9_]+$")
MAX_EVENT_TYPE = 255
HISTORY_MAX_LIMIT = 999  # conversations.history: "Maximum of 999"
LIST_MAX_LIMIT = 1000  # conversations.list: "an integer no larger than 1000"
CONVERSATION_TYPES = {"public_channel", "private_channel", "mpim", "im"}
FILE_TYPES = {"all", "spaces", "snippets", "images", "gdocs", "zips", "pdfs"}


class SlackError(Exception):
    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)


def _require(args: dict[str, Any], *names: str) -> None:
    for name in names:
        if args.get(name) in (None, ""):
            raise SlackError("invalid_arguments", f"missing required field: {name}")


def _flag(args: dict[str, Any], name: str) -> bool:
    """A boolean argument: true/1 in a form or query, true in a JSON body."""
    return str(args.get(name, "false")).lower() in {"true", "1"}


def _metadata(value: Any) -> dict[str, Any] | None:
    """`metadata` checked as Slack does; None for an empty object (no metadata, or remove it).

    A JSON string in form bodies (the server decodes it) or an object in JSON bodies.
    """
    if not isinstance(value, dict):
        raise SlackError("invalid_metadata_format")
    if not value:
        return None
    event_type, payload = value.get("event_type"), value.get("event_payload")
    if (
        not isinstance(event_type, str)
        or not EVENT_TYPE.match(event_type)
        or len(event_type) > MAX_EVENT_TYPE
        or not isinstance(payload, dict)
    ):
        raise SlackError("invalid_metadata_schema")
    return {"event_type": event_type, "event_payload": payload}


def _encode_cursor(kind: str, value: str) -> str:
    """Opaque like Slack's: base64 of "next_ts:…" (history) or "team:…" (lists)."""
    return base64.b64encode(f"{kind}:{value}".encode()).decode()


def _decode_cursor(cursor: str, kind: str) -> str:
    try:
        decoded = base64.b64decode(cursor.encode(), validate=True).decode()
    except ValueError:
        raise SlackError("invalid_cursor") from None
    prefix, _, value = decoded.partition(":")
    if prefix != kind or not value:
        raise SlackError("invalid_cursor")
    return value


def _ts(value: Any, error: str) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        raise SlackError(error) from None


class WebApi:
    """One method per Slack method; `call` dispatches by name."""

    def __init__(self, ws: Workspace, base_url: str, *, validate: bool = True) -> None:
        self.ws = ws
        # Block Kit validation costs ~1 ms of CPU per modal; a benchmark that
        # shares 2 cores with the sandbox turns it off (Slack's CPU is not ours).
        self.validate = validate
        self.base_url = base_url  # http://host:port/ of the sandbox
        self.methods: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "chat.getPermalink": self.chat_get_permalink,
            "views.open": self.views_open,
            "views.update": self.views_update,
            "views.push": self.views_push,
            "views.publish": self.views_publish,
            "conversations.create": self.conversations_create,
            "conversations.invite": self.conversations_invite,
            "conversations.info": self.conversations_info,
            "conversations.join": self.conversations_join,
            "conversations.history": self.conversations_history,
            "conversations.list": self.conversations_list,
            "conversations.members": self.conversations_members,
            "conversations.open": self.conversations_open,
            "pins.add": self.pins_add,
            "reactions.add": self.reactions_add,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroups_users_list,
            "apps.connections.open": self.apps_connections_open,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "files.list": self.files_list,
            "files.info": self.files_info,
        }

    # -- helpers ---------------------------------------------------------
    def _channel(self, channel_id: str, *, member: bool = True) -> Channel:
        if channel_id and channel_id.startswith("U") and channel_id in self.ws.users:
            return self.ws.dm_channel(channel_id)
        channel = self.ws.channels.get(channel_id)
        visible = channel is not None and (
            not channel.is_private or self.ws.bot.id in channel.members
        )
        if channel is None or not visible:
            raise SlackError("channel_not_found")
        if member and self.ws.bot.id not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _message(self, channel: Channel, ts: str) -> Message:
        for message in self.ws.messages_in(channel.id):
            if message.ts == ts and message.ephemeral_to is None:
                return message
        raise SlackError("message_not_found")

    def _check_text_or_blocks(self, args: dict[str, Any]) -> None:
        if not args.get("text") and not args.get("blocks"):
            raise SlackError("no_text")
        if len(args.get("text") or "") > MAX_MESSAGE_TEXT:
            raise SlackError("msg_too_long")
        if args.get("blocks"):
            problems = message_problems(args["blocks"]) if self.validate else []
            if problems:
                raise SlackError("invalid_blocks", *problems)

    def permalink(self, channel_id: str, ts: str) -> str:
        return f"https://{self.ws.domain}.slack.com/archives/{channel_id}/p{ts.replace('.', '')}"

    # -- methods ---------------------------------------------------------
    def auth_test(self, args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.ws.domain}.slack.com/",
            "team": "Firebell Sandbox",
            "user": self.ws.bot.name,
            "team_id": self.ws.team_id,
            "user_id": self.ws.bot.id,
            "bot_id": self.ws.bot_id,
            "is_enterprise_install": False,
        }

    def chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel")
        channel = self._channel(args["channel"])
        self._check_text_or_blocks(args)
        metadata = _metadata(args["metadata"]) if args.get("metadata") not in (None, "") else None
        message = self.ws.post(
            channel,
            self.ws.bot,
            args.get("text") or "",
            blocks=args.get("blocks"),
            thread_ts=args.get("thread_ts"),
            metadata=metadata,
        )
        answer = message.to_api()
        if metadata is not None:
            # Slack echoes the event type but strips the payload of an event type the app's
            # manifest does not declare; conversations.history with include_all_metadata has it.
            answer["metadata"] = {"event_type": metadata["event_type"]}
        return {"channel": channel.id, "ts": message.ts, "message": answer}

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "ts")
        channel = self._channel(args["channel"])
        message = self._message(channel, args["ts"])
        if message.user != self.ws.bot.id:
            raise SlackError("cant_update_message")
        self._check_text_or_blocks(args)
        if args.get("metadata") not in (None, ""):
            # absent keeps the metadata; an empty object removes it
            message.metadata = _metadata(args["metadata"])
        message.text = args.get("text") or message.text
        if "blocks" in args:
            message.blocks = args["blocks"]
        message.edited = True
        return {"channel": channel.id, "ts": message.ts, "text": message.text}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "user")
        channel = self._channel(args["channel"])
        if args["user"] not in channel.members:
            raise SlackError("user_not_in_channel")
        self._check_text_or_blocks(args)
        message = self.ws.post(
            channel,
            self.ws.bot,
            args.get("text") or "",
            blocks=args.get("blocks"),
            ephemeral_to=args["user"],
        )
        return {"message_ts": message.ts}

    def chat_get_permalink(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "message_ts")
        channel = self._channel(args["channel"], member=False)
        self._message(channel, args["message_ts"])
        return {"channel": channel.id, "permalink": self.permalink(channel.id, args["message_ts"])}

    def _new_view(self, args: dict[str, Any], user: str) -> dict[str, Any]:
        view = args.get("view")
        problems = view_problems(view) if self.validate else []
        if problems:
            raise SlackError("invalid_arguments", *problems)
        open_view = OpenView(
            id=self.ws.new_id("V"), user=user, view=dict(view or {}), hash=self.ws.new_id("h")
        )
        self.ws.views[open_view.id] = open_view
        return {"view": self.view_json(open_view)}

    def view_json(self, open_view: OpenView) -> dict[str, Any]:
        return {
            **open_view.view,
            "id": open_view.id,
            "hash": open_view.hash,
            "team_id": self.ws.team_id,
            "state": {"values": {}},
            "private_metadata": open_view.view.get("private_metadata", ""),
            "callback_id": open_view.view.get("callback_id", ""),
        }

    def views_open(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "trigger_id", "view")
        trigger = self.ws.triggers.get(args["trigger_id"])
        error = self.ws.use_trigger(args["trigger_id"])
        if error:
            raise SlackError(error)
        assert trigger is not None
        return self._new_view(args, trigger.user)

    views_push = views_open

    def views_update(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "view")
        open_view = self.ws.views.get(args.get("view_id") or "")
        if open_view is None:
            raise SlackError("not_found")
        if args.get("hash") and args["hash"] != open_view.hash:
            raise SlackError("hash_conflict")
        problems = view_problems(args["view"]) if self.validate else []
        if problems:
            raise SlackError("invalid_arguments", *problems)
        open_view.view = dict(args["view"])
        open_view.hash = self.ws.new_id("h")
        return {"view": self.view_json(open_view)}

    def views_publish(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "user_id", "view")
        if args["user_id"] not in self.ws.users:
            raise SlackError("user_not_found")
        problems = view_problems(args["view"]) if self.validate else []
        if problems:
            raise SlackError("invalid_arguments", *problems)
        open_view = OpenView(
            id=f"home-{args['user_id']}",
            user=args["user_id"],
            view=dict(args["view"]),
            hash=self.ws.new_id("h"),
            closed=True,
        )
        self.ws.views[open_view.id] = open_view
        return {"view": self.view_json(open_view)}

    def conversations_create(self, args: dict[str, Any]) -> dict[str, Any]:
        name = args.get("name") or ""
        if not name:
            raise SlackError("invalid_name_required")
        if len(name) > 80:
            raise SlackError("invalid_name_maxlength")
        if not CHANNEL_NAME.match(name):
            raise SlackError("invalid_name_specials")
        if not re.search(r"[a-z0-9]", name):
            raise SlackError("invalid_name_punctuation")
        if self.ws.channel_named(name) is not None:
            raise SlackError("name_taken")
        private = str(args.get("is_private", "false")).lower() in {"true", "1"}
        channel = self.ws.add_channel(name, self.ws.bot, private=private)
        channel.creator = self.ws.bot.id
        return {"channel": channel.to_api()}

    def conversations_invite(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "users")
        channel = self._channel(args["channel"])
        users = [u.strip() for u in str(args["users"]).split(",") if u.strip()]
        if self.ws.bot.id in users:
            raise SlackError("cant_invite_self")
        for user in users:
            if user not in self.ws.users:
                raise SlackError("user_not_found")
        new = [u for u in users if u not in channel.members]
        if not new:
            raise SlackError("already_in_channel")
        channel.members.update(new)
        return {"channel": channel.to_api()}

    def conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel")
        return {"channel": self._channel(args["channel"], member=False).to_api()}

    def conversations_join(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel")
        channel = self._channel(args["channel"], member=False)
        if channel.is_private or channel.is_im:
            raise SlackError("method_not_supported_for_channel_type")
        channel.members.add(self.ws.bot.id)
        return {"channel": channel.to_api()}

    def conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Newest first; `latest`/`oldest` bound by ts (`inclusive` keeps the bounds).

        Pages of `limit` (default 100, at most 999) with an opaque cursor naming the ts
        the next page starts at, so messages posted meanwhile do not shift the pages.
        `include_all_metadata` adds each message's `metadata`; without it there is none.
        """
        _require(args, "channel")
        channel = self._channel(args["channel"])
        inclusive = _flag(args, "inclusive")
        latest = _ts(args.get("latest"), "invalid_ts_latest")
        oldest = _ts(args.get("oldest"), "invalid_ts_oldest")
        start = None
        if args.get("cursor"):
            digits = _decode_cursor(str(args["cursor"]), "next_ts")  # the ts without its dot
            if not digits.isdigit() or len(digits) <= 6:
                raise SlackError("invalid_cursor")
            start = float(f"{digits[:-6]}.{digits[-6:]}")

        def within(ts: str) -> bool:
            value = float(ts)
            if latest is not None and (value > latest or (value == latest and not inclusive)):
                return False
            if start is not None and value > start:
                return False
            return not (
                oldest is not None and (value < oldest or (value == oldest and not inclusive))
            )

        messages = [
            m
            for m in self.ws.messages_in(channel.id)
            if m.ephemeral_to is None and not m.thread_ts and within(m.ts)
        ]
        messages.sort(key=lambda m: float(m.ts), reverse=True)
        limit = self._limit(args, HISTORY_MAX_LIMIT, error=None)
        page, rest = messages[:limit], messages[limit:]
        metadata = _flag(args, "include_all_metadata")
        cursor = _encode_cursor("next_ts", rest[0].ts.replace(".", "")) if rest else ""
        return {
            "messages": [m.to_api(metadata=metadata) for m in page],
            "has_more": bool(rest),
            "pin_count": len(channel.pins),
            "response_metadata": {"next_cursor": cursor},
        }

    @staticmethod
    def _limit(args: dict[str, Any], maximum: int, *, error: str | None) -> int:
        """`limit`, default 100: past `maximum` an error if the method has one, else capped."""
        raw = args.get("limit")
        if raw in (None, "", 0, "0"):
            return 100
        try:
            limit = int(raw)
        except (TypeError, ValueError):
            if error:
                raise SlackError(error) from None
            return 100
        if limit < 1 or limit > maximum:
            if error:
                raise SlackError(error)
            return min(max(limit, 1), maximum)
        return limit

    def _kind(self, channel: Channel) -> str:
        if channel.is_im:
            return "im"
        return "private_channel" if channel.is_private else "public_channel"

    def conversations_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Channels in creation order, as a bot token sees them: public ones, and private
        ones and DMs only where the bot is a member. Pages of `limit` (default 100, at
        most 1000) with an opaque cursor naming the channel the next page starts at."""
        types = {t.strip() for t in str(args.get("types") or "public_channel").split(",")}
        types.discard("")
        if not types or types - CONVERSATION_TYPES:
            raise SlackError("invalid_types")
        exclude_archived = _flag(args, "exclude_archived")
        limit = self._limit(args, LIST_MAX_LIMIT, error="invalid_limit")
        order = {channel_id: i for i, channel_id in enumerate(self.ws.channels)}
        first = 0
        if args.get("cursor"):
            after = _decode_cursor(str(args["cursor"]), "team")
            if after not in order:
                raise SlackError("invalid_cursor")
            first = order[after]
        bot = self.ws.bot.id
        listed = [
            c
            for c in self.ws.channels.values()
            if order[c.id] >= first
            and self._kind(c) in types
            and (not (c.is_private or c.is_im) or bot in c.members)
            and not (exclude_archived and c.is_archived)
        ]
        page, rest = listed[:limit], listed[limit:]
        return {
            "channels": [self._listed_channel(c) for c in page],
            "response_metadata": {
                "next_cursor": _encode_cursor("team", rest[0].id) if rest else ""
            },
        }

    def _listed_channel(self, channel: Channel) -> dict[str, Any]:
        data = {
            **channel.to_api(),
            "name_normalized": channel.name,
            "is_member": self.ws.bot.id in channel.members,
        }
        if channel.is_im:
            data["user"] = next((u for u in channel.members if u != self.ws.bot.id), "")
        return data

    def usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "usergroup")
        members = self.ws.usergroups.get(args["usergroup"])
        if members is None:
            raise SlackError("no_such_subteam")
        return {"users": sorted(members)}

    def conversations_open(self, args: dict[str, Any]) -> dict[str, Any]:
        """Open (or find) the bot's DM with one user, as Slack does for `users=U…`."""
        _require(args, "users")
        users = [u for u in str(args["users"]).split(",") if u]
        if len(users) != 1:
            raise SlackError("not_supported")  # group DMs are not modelled
        if users[0] not in self.ws.users:
            raise SlackError("user_not_found")
        return {"channel": {"id": self.ws.dm_channel(users[0]).id}}

    def conversations_members(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel")
        channel = self._channel(args["channel"], member=False)
        return {"members": sorted(channel.members), "response_metadata": {"next_cursor": ""}}

    def pins_add(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "timestamp")
        channel = self._channel(args["channel"])
        message = self._message(channel, args["timestamp"])
        if message.ts in channel.pins:
            raise SlackError("already_pinned")
        channel.pins.append(message.ts)
        return {}

    def reactions_add(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "timestamp", "name")
        channel = self._channel(args["channel"])
        message = self._message(channel, args["timestamp"])
        users = message.reactions.setdefault(args["name"], set())
        if self.ws.bot.id in users:
            raise SlackError("already_reacted")
        users.add(self.ws.bot.id)
        return {}

    def users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "user")
        user = self.ws.users.get(args["user"])
        if user is None:
            raise SlackError("user_not_found")
        return {"user": user.to_api(self.ws.team_id)}

    def files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "filename", "length")
        file_id = self.ws.new_id("F")
        self.ws.files[file_id] = {
            "name": args["filename"],
            "length": int(args["length"]),
            "content": None,
            "title": args["filename"],
            "user": self.ws.bot.id,
            "created": int(time.time()),
            "completed": False,
            "channels": [],
        }
        return {"upload_url": f"{self.base_url}upload/{file_id}", "file_id": file_id}

    def files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "files")
        listed = args["files"]
        if not isinstance(listed, list) or not listed:
            raise SlackError("invalid_arguments", "files must be a non-empty JSON array")
        for item in listed:
            stored = self.ws.files.get(item.get("id", ""))
            if stored is None or stored["content"] is None:
                raise SlackError("file_not_found")
        targets = [args["channel_id"]] if args.get("channel_id") else []
        targets += [c.strip() for c in str(args.get("channels") or "").split(",") if c.strip()]
        channels = [self._channel(channel_id) for channel_id in targets]
        for item in listed:
            stored = self.ws.files[item["id"]]
            stored["title"] = item.get("title") or stored["name"]
            stored["completed"] = True
        for channel in channels:
            self.ws.post(
                channel,
                self.ws.bot,
                args.get("initial_comment") or "",
                files=[item["id"] for item in listed],
                thread_ts=args.get("thread_ts") or None,
            )
            for item in listed:
                shared = self.ws.files[item["id"]]["channels"]
                if channel.id not in shared:
                    shared.append(channel.id)
        return {
            "files": [{"id": i["id"], "title": self.ws.files[i["id"]]["title"]} for i in listed]
        }

    def _file_visible(self, stored: dict[str, Any]) -> bool:
        """Completed, and the bot's own or shared where the bot can see it."""
        if not stored.get("completed"):
            return False
        if stored.get("user") == self.ws.bot.id:
            return True
        return any(self._can_see(channel_id) for channel_id in stored.get("channels", []))

    def _can_see(self, channel_id: str) -> bool:
        channel = self.ws.channels.get(channel_id)
        if channel is None:
            return False
        return not (channel.is_private or channel.is_im) or self.ws.bot.id in channel.members

    def file_json(self, file_id: str) -> dict[str, Any]:
        stored = self.ws.files[file_id]
        name = stored["name"]
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else "text"
        shared = [c for c in stored.get("channels", []) if self._can_see(c)]
        kinds = {c: self.ws.channels[c] for c in shared}
        return {
            "id": file_id,
            "created": stored.get("created", 0),
            "timestamp": stored.get("created", 0),
            "name": name,
            "title": stored["title"],
            "mimetype": mimetypes.guess_type(name)[0] or "text/plain",
            "filetype": extension,
            "user": stored.get("user", self.ws.bot.id),
            "size": len(stored["content"] or b""),
            "mode": "hosted",
            "is_external": False,
            "is_public": any(not c.is_private and not c.is_im for c in kinds.values()),
            "url_private": f"{self.base_url}upload/{file_id}",
            "permalink": f"https://{self.ws.domain}.slack.com/files/{file_id}",
            "channels": [c for c, ch in kinds.items() if not ch.is_private and not ch.is_im],
            "groups": [c for c, ch in kinds.items() if ch.is_private],
            "ims": [c for c, ch in kinds.items() if ch.is_im],
        }

    def files_list(self, args: dict[str, Any]) -> dict[str, Any]:
        """Files newest first, filtered by `channel`, `user`, `ts_from`/`ts_to` (inclusive)
        and `types`; paged the classic way (`count` default 100, `page` from 1)."""
        types = {t.strip() for t in str(args.get("types") or "all").split(",") if t.strip()}
        if types - FILE_TYPES:
            raise SlackError("unknown_type")
        user = args.get("user") or None
        if user is not None and user not in self.ws.users:
            raise SlackError("user_not_found")
        ts_from = _ts(args.get("ts_from"), "invalid_arguments")
        ts_to = _ts(args.get("ts_to"), "invalid_arguments")
        channel = args.get("channel") or None
        found = []
        for file_id, stored in self.ws.files.items():
            if not self._file_visible(stored):
                continue
            if channel is not None and (
                channel not in stored.get("channels", []) or not self._can_see(channel)
            ):
                continue
            if user is not None and stored.get("user") != user:
                continue
            created = stored.get("created", 0)
            if (ts_from is not None and created < ts_from) or (
                ts_to is not None and created > ts_to
            ):
                continue
            data = self.file_json(file_id)
            if "all" not in types and not self._file_of_types(data, types):
                continue
            found.append(data)
        found.sort(key=lambda f: (f["created"], f["id"]), reverse=True)
        try:
            count = max(int(args.get("count") or 100), 1)
            page = max(int(args.get("page") or 1), 1)
        except (TypeError, ValueError):
            raise SlackError("invalid_arguments") from None
        return {
            "files": found[(page - 1) * count : page * count],
            "paging": {
                "count": count,
                "total": len(found),
                "page": page,
                "pages": math.ceil(len(found) / count),
            },
        }

    @staticmethod
    def _file_of_types(data: dict[str, Any], types: set[str]) -> bool:
        return (
            ("images" in types and str(data["mimetype"]).startswith("image/"))
            or ("pdfs" in types and data["filetype"] == "pdf")
            or ("zips" in types and data["filetype"] == "zip")
        )

    def files_info(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "file")
        stored = self.ws.files.get(args["file"])
        if stored is None or not self._file_visible(stored):
            raise SlackError("file_not_found")
        return {
            "file": self.file_json(args["file"]),
            "comments": [],
            "response_metadata": {"next_cursor": ""},
        }

    def apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ws_url = (
            self.base_url.replace("http://", "ws://") + "socket-mode?ticket=" + self.ws.new_id("t")
        )
        return {"url": ws_url}
