"""The Web API methods, answering as Slack does (including its error codes)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sandbox.blockkit import MAX_MESSAGE_TEXT, message_problems, view_problems
from sandbox.workspace import Channel, Message, OpenView, Workspace

CHANNEL_NAME = re.compile(r"^[a-z0-9_-]+$")


class SlackError(Exception):
    def __init__(self, code: str, *messages: str) -> None:
        super().__init__(code)
        self.code = code
        self.messages = list(messages)


def _require(args: dict[str, Any], *names: str) -> None:
    for name in names:
        if args.get(name) in (None, ""):
            raise SlackError("invalid_arguments", f"missing required field: {name}")


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
            "conversations.members": self.conversations_members,
            "pins.add": self.pins_add,
            "reactions.add": self.reactions_add,
            "users.info": self.users_info,
            "usergroups.users.list": self.usergroups_users_list,
            "apps.connections.open": self.apps_connections_open,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
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
        message = self.ws.post(
            channel,
            self.ws.bot,
            args.get("text") or "",
            blocks=args.get("blocks"),
            thread_ts=args.get("thread_ts"),
        )
        return {"channel": channel.id, "ts": message.ts, "message": message.to_api()}

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "channel", "ts")
        channel = self._channel(args["channel"])
        message = self._message(channel, args["ts"])
        if message.user != self.ws.bot.id:
            raise SlackError("cant_update_message")
        self._check_text_or_blocks(args)
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
        """Newest first; `latest`/`oldest` bound by ts (`inclusive` keeps the bounds)."""
        _require(args, "channel")
        channel = self._channel(args["channel"])
        inclusive = str(args.get("inclusive", "false")).lower() in {"true", "1"}
        latest, oldest = args.get("latest"), args.get("oldest")

        def within(ts: str) -> bool:
            value = float(ts)
            if latest and (value > float(latest) or (value == float(latest) and not inclusive)):
                return False
            return not (
                oldest and (value < float(oldest) or (value == float(oldest) and not inclusive))
            )

        messages = [
            m
            for m in self.ws.messages_in(channel.id)
            if m.ephemeral_to is None and not m.thread_ts and within(m.ts)
        ][::-1]
        start = int(args.get("cursor") or 0)
        limit = min(int(args.get("limit") or 100), 1000)
        page = messages[start : start + limit]
        more = start + limit < len(messages)
        return {
            "messages": [m.to_api() for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": str(start + limit) if more else ""},
        }

    def usergroups_users_list(self, args: dict[str, Any]) -> dict[str, Any]:
        _require(args, "usergroup")
        members = self.ws.usergroups.get(args["usergroup"])
        if members is None:
            raise SlackError("no_such_subteam")
        return {"users": sorted(members)}

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
            stored["title"] = item.get("title") or stored["name"]
        if args.get("channel_id"):
            channel = self._channel(args["channel_id"])
            self.ws.post(
                channel,
                self.ws.bot,
                args.get("initial_comment") or "",
                files=[item["id"] for item in listed],
            )
        return {
            "files": [{"id": i["id"], "title": self.ws.files[i["id"]]["title"]} for i in listed]
        }

    def apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ws_url = (
            self.base_url.replace("http://", "ws://") + "socket-mode?ticket=" + self.ws.new_id("t")
        )
        return {"url": ws_url}
