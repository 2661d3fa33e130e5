"""What every group of the sandbox's Web API methods shares: Slack's errors, argument
helpers, and finding channels and messages as Slack does."""

from __future__ import annotations

import base64
import re
from typing import Any

from sandbox.blockkit import MAX_MESSAGE_TEXT, message_problems
from sandbox.workspace import Channel, Message, Workspace

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


class ApiBase:
    """The workspace and the lookups every method group uses."""

    ws: Workspace
    validate: bool
    base_url: str

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
