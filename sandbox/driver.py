"""Acts as Slack toward the bot: slash commands, shortcuts, modal submits, actions, events.

Over HTTP every request is signed like Slack signs it; in Socket Mode the same
payloads travel as envelopes over the sandbox's websocket.
"""

from __future__ import annotations

import json
import time
import uuid
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlencode

import aiohttp

from sandbox.blockkit import FILE_INPUT_BYTES, MAX_FILE_INPUT_FILES
from sandbox.methods import WebApi
from sandbox.server import Sandbox
from sandbox.signing import sign
from sandbox.workspace import Channel, Message, OpenView, User

Mode = Literal["http", "socket"]


@dataclass
class Reply:
    """What the bot answered: HTTP status and body (or the Socket Mode ack payload)."""

    status: int
    body: Any

    @property
    def json(self) -> dict[str, Any]:
        return self.body if isinstance(self.body, dict) else {}

    @property
    def text(self) -> str:
        """What Slack shows the user from an ack: a bare string or the `text` of JSON."""
        return self.body if isinstance(self.body, str) else str(self.json.get("text", ""))


@dataclass(frozen=True)
class Upload:
    """A file a person picks in a modal's file input (the mimetype Slack would detect;
    by default guessed from the name)."""

    name: str
    content: bytes
    mimetype: str | None = None


class SlackDriver:
    def __init__(self, sandbox: Sandbox, bot_url: str = "", mode: Mode = "http") -> None:
        self.sandbox = sandbox
        self.ws = sandbox.workspace
        self.events_url = bot_url.rstrip("/") + "/slack/events"
        self.mode = mode
        self._session: aiohttp.ClientSession | None = None

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    # -- transport -------------------------------------------------------
    async def post_signed(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> Reply:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        signed = sign(secret or self.sandbox.signing_secret, body, timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        async with self._session.post(
            self.events_url, data=body.encode(), headers=all_headers
        ) as resp:
            text = await resp.text()
            try:
                parsed: Any = json.loads(text) if text else {}
            except ValueError:
                parsed = text
            return Reply(resp.status, parsed)

    async def _send(self, kind: str, payload: dict[str, Any], *, retry_num: int = 0) -> Reply:
        if self.mode == "socket":
            envelope = {
                "command": "slash_commands",
                "interactive": "interactive",
                "event": "events_api",
            }[kind]
            ack = await self.sandbox.socket.send(envelope, payload, retry_attempt=retry_num)
            return Reply(200, ack)
        if kind == "command":
            return await self.post_signed(urlencode(payload), "application/x-www-form-urlencoded")
        if kind == "interactive":
            body = urlencode({"payload": json.dumps(payload)})
            return await self.post_signed(body, "application/x-www-form-urlencoded")
        headers = (
            {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
            if retry_num
            else {}
        )
        return await self.post_signed(json.dumps(payload), "application/json", headers=headers)

    async def command(self, payload: dict[str, str]) -> Reply:
        """Send a slash command payload made by `command_payload` (perhaps amended)."""
        return await self._send("command", payload)

    async def interactive(self, payload: dict[str, Any]) -> Reply:
        """Send any interaction payload (block_actions, view_submission…) as Slack does."""
        return await self._send("interactive", payload)

    # -- payload pieces --------------------------------------------------
    def team_ref(self) -> dict[str, str]:
        return {"id": self.ws.team_id, "domain": self.ws.domain}

    def user_ref(self, user: User) -> dict[str, str]:
        return {"id": user.id, "username": user.name, "name": user.name, "team_id": self.ws.team_id}

    # -- what a person does ----------------------------------------------
    def command_payload(
        self, user: User, channel: Channel, text: str = "", command: str = "/incident"
    ) -> dict[str, str]:
        return {
            "token": "legacy-verification-token",
            "team_id": self.ws.team_id,
            "team_domain": self.ws.domain,
            "channel_id": channel.id,
            "channel_name": channel.name,
            "user_id": user.id,
            "user_name": user.name,
            "command": command,
            "text": text,
            "api_app_id": "A0SANDBOX",
            "is_enterprise_install": "false",
            "response_url": self.sandbox.response_url_for(user.id),
            "trigger_id": self.ws.issue_trigger(user.id),
        }

    async def slash_command(
        self, user: User, channel: Channel, text: str = "", command: str = "/incident"
    ) -> Reply:
        return await self._send("command", self.command_payload(user, channel, text, command))

    async def message_shortcut(
        self, user: User, message: Message, callback_id: str = "file_issue"
    ) -> Reply:
        channel = self.ws.channels[message.channel]
        return await self._send(
            "interactive",
            {
                "type": "message_action",
                "callback_id": callback_id,
                "token": "legacy",
                "trigger_id": self.ws.issue_trigger(user.id),
                "team": self.team_ref(),
                "channel": {"id": channel.id, "name": channel.name},
                "user": self.user_ref(user),
                "message": self._api().message_json(message),
                "message_ts": message.ts,
                "action_ts": str(time.time()),
                "response_url": self.sandbox.response_url_for(user.id),
                "api_app_id": "A0SANDBOX",
            },
        )

    async def global_shortcut(self, user: User, callback_id: str = "declare_incident") -> Reply:
        return await self._send(
            "interactive",
            {
                "type": "shortcut",
                "callback_id": callback_id,
                "token": "legacy",
                "trigger_id": self.ws.issue_trigger(user.id),
                "team": self.team_ref(),
                "user": self.user_ref(user),
                "action_ts": str(time.time()),
                "api_app_id": "A0SANDBOX",
            },
        )

    async def submit_view(self, user: User, view: OpenView, values: dict[str, Any]) -> Reply:
        """Fill the view's inputs as a person would and press Submit.

        `values` maps block ids to what is typed or chosen: text for text inputs,
        an option value for selects, a list of option values for checkboxes, a list of
        `Upload`s for a file input (stored as the person's files, handed to the app).
        """
        state = fill_state(view.view, self._uploaded(user, view.view, values))
        payload = {
            "type": "view_submission",
            "team": self.team_ref(),
            "user": self.user_ref(user),
            "api_app_id": "A0SANDBOX",
            "token": "legacy",
            "trigger_id": self.ws.issue_trigger(user.id),
            "view": {
                **view.view,
                "id": view.id,
                "hash": view.hash,
                "team_id": self.ws.team_id,
                "state": {"values": state},
                "private_metadata": view.view.get("private_metadata", ""),
                "callback_id": view.view.get("callback_id", ""),
            },
            "response_urls": [],
        }
        reply = await self._send("interactive", payload)
        if reply.status == 200 and not reply.json.get("response_action"):
            view.closed = True  # Slack closes the modal on an empty 200
            self.ws.changed()
        return reply

    def _api(self) -> WebApi:
        assert self.sandbox.api is not None, "start the sandbox first"
        return self.sandbox.api

    def _uploaded(self, user: User, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
        """Uploads into a file input become the person's files, as Slack stores them
        before the modal is submitted; the state carries Slack's description of each."""
        kinds = {
            b.get("block_id"): b["element"]
            for b in view.get("blocks", [])
            if b.get("type") == "input" and b.get("element", {}).get("type") == "file_input"
        }
        answers = dict(values)
        for block_id, element in kinds.items():
            uploads = answers.get(block_id)
            if not uploads:
                continue
            most = element.get("max_files", MAX_FILE_INPUT_FILES)
            if len(uploads) > most:
                raise ValueError(f"Slack's file input takes at most {most} files here")
            if any(len(u.content) > FILE_INPUT_BYTES for u in uploads):
                raise ValueError("Slack's file input takes files up to 10 MB")
            # Slack's `filetypes` only steers the picker (its docs say to check again),
            # so any file goes through here: the bot's own check is what is tested.
            ids = [
                self.ws.add_file(user, u.name, u.content, mimetype=u.mimetype, app_visible=True)
                for u in uploads
            ]
            answers[block_id] = [self._api().file_json(i) for i in ids]
        return answers

    async def click(
        self, user: User, message: Message, action_id: str, value: str = "", block_id: str = ""
    ) -> Reply:
        channel = self.ws.channels[message.channel]
        return await self._send(
            "interactive",
            {
                "type": "block_actions",
                "team": self.team_ref(),
                "user": self.user_ref(user),
                "api_app_id": "A0SANDBOX",
                "token": "legacy",
                "trigger_id": self.ws.issue_trigger(user.id),
                "container": {
                    "type": "message",
                    "message_ts": message.ts,
                    "channel_id": channel.id,
                },
                "channel": {"id": channel.id, "name": channel.name},
                "message": message.to_api(),
                "response_url": self.sandbox.response_url_for(user.id),
                "actions": [
                    {
                        "action_id": action_id,
                        "block_id": block_id,
                        "value": value,
                        "type": "button",
                        "action_ts": str(time.time()),
                    }
                ],
            },
        )

    async def press(
        self, user: User, message: Message, action_id: str, value_prefix: str = ""
    ) -> Reply:
        """Press the button with this action id (and value prefix) shown on a message."""
        for block in message.blocks or []:
            if block.get("type") != "actions":
                continue
            for element in block.get("elements", []):
                if element["action_id"] == action_id and element["value"].startswith(value_prefix):
                    return await self.click(
                        user, message, action_id, element["value"], block.get("block_id", "")
                    )
        raise LookupError(f"no {action_id} button ({value_prefix!r}) on message {message.ts}")

    def event_payload(self, event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
        return {
            "token": "legacy",
            "team_id": self.ws.team_id,
            "api_app_id": "A0SANDBOX",
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "authorizations": [
                {"team_id": self.ws.team_id, "user_id": self.ws.bot.id, "is_bot": True}
            ],
        }

    async def event(self, payload: dict[str, Any], *, retry_num: int = 0) -> Reply:
        return await self._send("event", payload, retry_num=retry_num)

    def reaction(self, user: User, message: Message, name: str = "pushpin") -> dict[str, Any]:
        """Add a reaction as the person would; return the reaction_added event Slack sends."""
        message.reactions.setdefault(name, set()).add(user.id)
        self.ws.changed()
        return self.event_payload(
            {
                "type": "reaction_added",
                "user": user.id,
                "reaction": name,
                "item_user": message.user,
                "event_ts": self.ws.new_ts(),
                "item": {"type": "message", "channel": message.channel, "ts": message.ts},
            }
        )

    def joined(self, user: User, channel: Channel) -> dict[str, Any]:
        """Put someone in a channel as Slack would; return the member_joined_channel event."""
        channel.members.add(user.id)
        self.ws.changed()
        return self.event_payload(
            {
                "type": "member_joined_channel",
                "user": user.id,
                "channel": channel.id,
                "channel_type": "G" if channel.is_private else "C",
                "event_ts": self.ws.new_ts(),
            }
        )

    def left(self, user: User, channel: Channel) -> dict[str, Any]:
        """Take someone out of a channel; return the member_left_channel event."""
        channel.members.discard(user.id)
        self.ws.changed()
        return self.event_payload(
            {
                "type": "member_left_channel",
                "user": user.id,
                "channel": channel.id,
                "channel_type": "G" if channel.is_private else "C",
                "event_ts": self.ws.new_ts(),
            }
        )

    def home_opened(self, user: User) -> dict[str, Any]:
        return self.event_payload(
            {
                "type": "app_home_opened",
                "user": user.id,
                "channel": self.ws.dm_channel(user.id).id,
                "tab": "home",
                "event_ts": self.ws.new_ts(),
            }
        )

    def mention(self, user: User, channel: Channel, text: str) -> dict[str, Any]:
        """Post `text` mentioning the bot and return the app_mention event Slack would send."""
        message = self.ws.post(channel, user, f"<@{self.ws.bot.id}> {text}")
        return self.event_payload(
            {
                "type": "app_mention",
                "user": user.id,
                "text": message.text,
                "ts": message.ts,
                "channel": channel.id,
                "event_ts": message.ts,
            }
        )


def fill_state(view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """Build `view.state.values` from a person's answers, checked against the view's inputs."""
    inputs = {b["block_id"]: b for b in view.get("blocks", []) if b.get("type") == "input"}
    unknown = set(values) - set(inputs)
    if unknown:
        raise KeyError(f"the view has no input {sorted(unknown)}; it has {sorted(inputs)}")
    state: dict[str, Any] = {}
    for block_id, block in inputs.items():
        element = block["element"]
        action_id, kind = element["action_id"], element["type"]
        answer = values.get(block_id)
        if kind == "plain_text_input":
            text = answer if answer is not None else element.get("initial_value")
            state[block_id] = {action_id: {"type": kind, "value": text}}
        elif kind == "static_select":
            options = {o["value"]: o for o in element.get("options", [])}
            chosen = options.get(answer) if answer is not None else None
            if answer is not None and chosen is None:
                # A person cannot pick a value that is not offered; a forged payload can.
                chosen = {"text": {"type": "plain_text", "text": str(answer)}, "value": answer}
            state[block_id] = {action_id: {"type": kind, "selected_option": chosen}}
        elif kind == "users_select":
            picked = answer if answer is not None else element.get("initial_user")
            state[block_id] = {action_id: {"type": kind, "selected_user": picked}}
        elif kind == "datepicker":
            picked = answer if answer is not None else element.get("initial_date")
            state[block_id] = {action_id: {"type": kind, "selected_date": picked}}
        elif kind == "file_input":
            state[block_id] = {action_id: {"type": kind, "files": list(answer or [])}}
        elif kind in {"conversations_select", "channels_select"}:
            key = "selected_conversation" if kind == "conversations_select" else "selected_channel"
            picked = (
                answer if answer is not None else element.get(key.replace("selected", "initial"))
            )
            state[block_id] = {action_id: {"type": kind, key: picked}}
        elif kind == "radio_buttons":
            options = {o["value"]: o for o in element.get("options", [])}
            state[block_id] = {action_id: {"type": kind, "selected_option": options.get(answer)}}
        elif kind in {"checkboxes", "multi_static_select"}:
            options = {o["value"]: o for o in element.get("options", [])}
            picked = [options[v] for v in (answer or []) if v in options]
            state[block_id] = {action_id: {"type": kind, "selected_options": picked}}
        else:
            state[block_id] = {action_id: {"type": kind, "value": answer}}
    return state
