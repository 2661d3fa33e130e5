"""Conversations, pins, reactions, user groups and users, answering as Slack does."""

from __future__ import annotations

import re
from typing import Any

from sandbox.api_base import (
    CHANNEL_NAME,
    CONVERSATION_TYPES,
    HISTORY_MAX_LIMIT,
    LIST_MAX_LIMIT,
    ApiBase,
    SlackError,
    _decode_cursor,
    _encode_cursor,
    _flag,
    _require,
    _ts,
)
from sandbox.workspace import Channel


class ConversationMethods(ApiBase):
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

    def conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        """A thread: its parent, then its replies, oldest first (as Slack orders them);
        `oldest` bounds the replies, `include_all_metadata` adds their metadata."""
        _require(args, "channel", "ts")
        channel = self._channel(args["channel"])
        parent = self._message(channel, str(args["ts"]))
        oldest = _ts(args.get("oldest"), "invalid_ts_oldest")
        replies = [
            m
            for m in self.ws.messages_in(channel.id)
            if m.thread_ts == parent.ts and (oldest is None or float(m.ts) >= oldest)
        ]
        replies.sort(key=lambda m: float(m.ts))
        limit = self._limit(args, HISTORY_MAX_LIMIT, error=None)
        metadata = _flag(args, "include_all_metadata")
        shown = [parent, *replies][:limit]
        return {
            "messages": [m.to_api(metadata=metadata) for m in shown],
            "has_more": len(replies) + 1 > limit,
            "response_metadata": {"next_cursor": ""},
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

    def users_lookup_by_email(self, args: dict[str, Any]) -> dict[str, Any]:
        """As Slack: the one user with this e-mail (any case), else users_not_found, which
        a deactivated account gets too (Slack's documentation). Bots have no e-mail."""
        _require(args, "email")
        wanted = str(args["email"]).strip().lower()
        for user in self.ws.users.values():
            if user.email and user.email.lower() == wanted and not user.deleted:
                return {"user": user.to_api(self.ws.team_id)}
        raise SlackError("users_not_found")
