"""The Web API methods, answering as Slack does (including its error codes)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sandbox.api_base import ApiBase, SlackError, _metadata, _require
from sandbox.blockkit import view_problems
from sandbox.conversations import ConversationMethods
from sandbox.files import FileMethods
from sandbox.workspace import OpenView, Workspace

__all__ = ["ApiBase", "SlackError", "WebApi"]


class WebApi(ConversationMethods, FileMethods):
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
            "conversations.replies": self.conversations_replies,
            "pins.add": self.pins_add,
            "reactions.add": self.reactions_add,
            "users.info": self.users_info,
            "users.lookupByEmail": self.users_lookup_by_email,
            "usergroups.users.list": self.usergroups_users_list,
            "apps.connections.open": self.apps_connections_open,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
            "files.list": self.files_list,
            "files.info": self.files_info,
        }

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

    def apps_connections_open(self, args: dict[str, Any]) -> dict[str, Any]:
        ws_url = (
            self.base_url.replace("http://", "ws://") + "socket-mode?ticket=" + self.ws.new_id("t")
        )
        return {"url": ws_url}
