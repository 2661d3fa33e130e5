"""What a person does on the playground's page, sent to the bot as Slack would send it:
messages, slash commands, the message shortcut, reactions, button presses and
selections (block_actions), modal submissions (view_submission) and App Home.

The page says what was clicked or typed; the payload around it (the message, the
view, the trigger) comes from the workspace, so the page cannot forge what Slack
would not send."""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from typing import Any

from sandbox.driver import Reply, SlackDriver, fill_state
from sandbox.playground.state import visible
from sandbox.server import Sandbox
from sandbox.workspace import Channel, Message, OpenView, User

Answer = tuple[int, dict[str, Any]]
MENTION = re.compile(r"(?<![<\w])@([a-z0-9._-]+)")
MAX_TEXT = 40_000


class Refused(Exception):
    """A request the page should not have made: a 4xx with this reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class Actions:
    def __init__(self, sandbox: Sandbox, driver: SlackDriver) -> None:
        self.sandbox = sandbox
        self.ws = sandbox.workspace
        self.driver = driver
        # Answers only one person sees that Slack keeps nowhere else: slash command
        # acks and response_url posts, each as a message in the channel it answered.
        self.ephemerals: list[dict[str, Any]] = []
        self.errors: dict[str, dict[str, str]] = {}  # view id -> block id -> inline error
        self._responses_seen = 0
        self._handlers: dict[str, Callable[[User, dict[str, Any]], Awaitable[Answer]]] = {
            "message": self.message,
            "command": self.command,
            "shortcut": self.shortcut,
            "react": self.react,
            "join": self.join,
            "home": self.home,
            "action": self.action,
            "submit": self.submit,
            "close": self.close,
        }

    async def run(self, name: str, body: dict[str, Any]) -> Answer:
        handler = self._handlers.get(name)
        if handler is None:
            return 404, {"error": f"no playground action {name!r}"}
        user = self.ws.users.get(str(body.get("user", "")))
        if user is None or user.is_bot:
            return 400, {"error": "user names no sandbox person"}
        try:
            return await handler(user, body)
        except Refused as exc:
            return exc.status, {"error": exc.reason}

    # -- lookups -------------------------------------------------------------
    def _channel(self, user: User, body: dict[str, Any]) -> Channel:
        channel = self.ws.channels.get(str(body.get("channel", "")))
        if channel is None or not visible(self.ws, channel, user.id):
            raise Refused(404, "no such channel")
        return channel

    def _message(self, user: User, body: dict[str, Any]) -> Message:
        channel = self._channel(user, body)
        ts = str(body.get("ts", ""))
        found = next(
            (m for m in self.ws.messages_in(channel.id) if m.ts == ts and not m.ephemeral_to),
            None,
        )
        if found is None:
            raise Refused(404, "no such message")
        return found

    def _view(self, user: User, body: dict[str, Any]) -> OpenView:
        view = self.ws.views.get(str(body.get("view_id", "")))
        if view is None or view.user != user.id:
            raise Refused(404, "no such view")
        return view

    def _response_url(self, user: User, channel: Channel | None) -> str:
        url = self.sandbox.response_url_for(user.id)
        return f"{url}?channel={channel.id}" if channel is not None else url

    def ephemerals_for(self, user: str, channel: str) -> list[dict[str, Any]]:
        for response in self.ws.responses[self._responses_seen :]:
            if response.get("channel"):
                self._remember(response["user"], response["channel"], response)
        self._responses_seen = len(self.ws.responses)
        return [e for e in self.ephemerals if e["user_to"] == user and e["channel"] == channel]

    def _remember(self, user: str, channel: str, answer: dict[str, Any]) -> None:
        self.ephemerals.append(
            {
                "ts": self.ws.new_ts(),
                "user": self.ws.bot.id,
                "author": self.ws.bot.real_name,
                "bot": True,
                "text": str(answer.get("text") or ""),
                "blocks": answer.get("blocks") or None,
                "thread_ts": None,
                "edited": False,
                "pinned": False,
                "metadata": None,
                "ephemeral": True,
                "reactions": [],
                "files": [],
                "replies": [],
                "user_to": user,
                "channel": channel,
            }
        )
        self.ws.changed()

    # -- what a person does --------------------------------------------------
    async def message(self, user: User, body: dict[str, Any]) -> Answer:
        channel = self._channel(user, body)
        text = str(body.get("text", "")).strip()
        if not text or len(text) > MAX_TEXT:
            raise Refused(400, "a message has 1 to 40,000 characters")
        if user.id not in channel.members:
            raise Refused(403, f"join #{channel.name} first")
        names = {u.name: u.id for u in self.ws.users.values()}
        # As Slack's client does: @name becomes a mention of that person (or the bot).
        text = MENTION.sub(lambda m: f"<@{names[m[1]]}>" if m[1] in names else m[0], text)
        thread = str(body.get("thread_ts") or "") or None
        posted = self.ws.post(channel, user, text, thread_ts=thread)
        event: dict[str, Any] = {
            "type": "message",
            "channel": channel.id,
            "user": user.id,
            "text": text,
            "ts": posted.ts,
            "event_ts": posted.ts,
            "channel_type": "im" if channel.is_im else "group" if channel.is_private else "channel",
        }
        if thread:
            event["thread_ts"] = thread
        await self.driver.event(self.driver.event_payload(event))
        if f"<@{self.ws.bot.id}>" in text:
            mention = {k: v for k, v in event.items() if k != "channel_type"}
            await self.driver.event(self.driver.event_payload({**mention, "type": "app_mention"}))
        return 200, {"ts": posted.ts}

    async def command(self, user: User, body: dict[str, Any]) -> Answer:
        channel = self._channel(user, body)
        text = str(body.get("text", "")).strip()
        payload = self.driver.command_payload(user, channel, text)
        payload["response_url"] = self._response_url(user, channel)
        reply = await self.driver.command(payload)
        if reply.status == 200 and (reply.text or reply.json.get("blocks")):
            self._remember(user.id, channel.id, reply.json or {"text": reply.text})
        return 200, {"status": reply.status}

    async def shortcut(self, user: User, body: dict[str, Any]) -> Answer:
        message = self._message(user, body)
        reply = await self.driver.message_shortcut(user, message)
        return 200, {"status": reply.status}

    async def react(self, user: User, body: dict[str, Any]) -> Answer:
        message = self._message(user, body)
        name = str(body.get("name", ""))
        if not re.fullmatch(r"[a-z0-9_+-]{1,40}", name):
            raise Refused(400, "a reaction is an emoji name, e.g. pushpin")
        if user.id in message.reactions.get(name, set()):
            return 200, {"status": "already reacted"}
        reply = await self.driver.event(self.driver.reaction(user, message, name))
        return 200, {"status": reply.status}

    async def join(self, user: User, body: dict[str, Any]) -> Answer:
        channel = self._channel(user, body)
        if channel.is_im or channel.is_private or user.id in channel.members:
            return 200, {"status": "nothing to join"}
        reply = await self.driver.event(self.driver.joined(user, channel))
        return 200, {"status": reply.status}

    async def home(self, user: User, body: dict[str, Any]) -> Answer:
        reply = await self.driver.event(self.driver.home_opened(user))
        return 200, {"status": reply.status}

    async def action(self, user: User, body: dict[str, Any]) -> Answer:
        """A button pressed or an option chosen, in a message, a modal or App Home."""
        pressed = body.get("action")
        if not isinstance(pressed, dict) or not pressed.get("action_id"):
            raise Refused(400, "action needs an action_id")
        pressed = {**pressed, "action_ts": str(time.time())}
        payload: dict[str, Any] = {
            "type": "block_actions",
            "team": self.driver.team_ref(),
            "user": self.driver.user_ref(user),
            "api_app_id": "A0SANDBOX",
            "token": "legacy",
            "trigger_id": self.ws.issue_trigger(user.id),
            "actions": [pressed],
        }
        where = body.get("where") or {}
        if where.get("kind") == "view":
            view = self._view(user, where) if where.get("view_id") != "home" else None
            view = view or self.ws.views.get(f"home-{user.id}")
            if view is None:
                raise Refused(404, "no such view")
            state = _state(view, body.get("values"))
            payload["container"] = {"type": "view", "view_id": view.id}
            payload["view"] = {**self._view_json(view), "state": {"values": state}}
        elif where.get("ephemeral"):
            channel = self._channel(user, where)
            payload["container"] = {
                "type": "message",
                "message_ts": str(where.get("ts", "")),
                "channel_id": channel.id,
                "is_ephemeral": True,
            }
            payload["channel"] = {"id": channel.id, "name": channel.name}
            payload["response_url"] = self._response_url(user, channel)
        else:
            message = self._message(user, where)
            channel = self.ws.channels[message.channel]
            payload["container"] = {
                "type": "message",
                "message_ts": message.ts,
                "channel_id": channel.id,
            }
            payload["channel"] = {"id": channel.id, "name": channel.name}
            payload["message"] = message.to_api()
            payload["response_url"] = self._response_url(user, channel)
        reply = await self.driver.interactive(payload)
        return 200, {"status": reply.status}

    async def submit(self, user: User, body: dict[str, Any]) -> Answer:
        view = self._view(user, body)
        state = _state(view, body.get("values"))
        payload = {
            "type": "view_submission",
            "team": self.driver.team_ref(),
            "user": self.driver.user_ref(user),
            "api_app_id": "A0SANDBOX",
            "token": "legacy",
            "trigger_id": self.ws.issue_trigger(user.id),
            "view": {**self._view_json(view), "state": {"values": state}},
            "response_urls": [],
        }
        reply = await self.driver.interactive(payload)
        return 200, self._after_submit(user, view, reply)

    def _after_submit(self, user: User, view: OpenView, reply: Reply) -> dict[str, Any]:
        """What Slack does with the answer to a submission (response_action)."""
        kind = reply.json.get("response_action") if reply.status == 200 else None
        self.errors.pop(view.id, None)
        if reply.status != 200:
            self.errors[view.id] = {"": f"Firebell answered {reply.status}"}
        elif kind == "errors":
            self.errors[view.id] = {str(k): str(v) for k, v in reply.json["errors"].items()}
        elif kind == "update":
            view.view, view.hash = dict(reply.json["view"]), self.ws.new_id("h")
        elif kind == "push":
            pushed = OpenView(self.ws.new_id("V"), user.id, dict(reply.json["view"]), "h")
            self.ws.views[pushed.id] = pushed
        elif kind == "clear":
            for other in self.ws.open_views_of(user.id):
                other.closed = True
        else:
            view.closed = True
        self.ws.changed()
        return {"status": reply.status, "response_action": kind, "errors": self.errors.get(view.id)}

    async def close(self, user: User, body: dict[str, Any]) -> Answer:
        view = self._view(user, body)
        view.closed = True
        self.ws.changed()
        return 200, {"status": "closed"}

    def _view_json(self, view: OpenView) -> dict[str, Any]:
        return {
            **view.view,
            "id": view.id,
            "hash": view.hash,
            "team_id": self.ws.team_id,
            "private_metadata": view.view.get("private_metadata", ""),
            "callback_id": view.view.get("callback_id", ""),
        }


def _state(view: OpenView, values: Any) -> dict[str, Any]:
    """The view's state as Slack sends it, from the page's answers (block id -> answer)."""
    if values is None:
        values = {}
    if not isinstance(values, dict):
        raise Refused(400, "values maps block ids to answers")
    try:
        return fill_state(view.view, values)
    except KeyError as exc:
        raise Refused(400, str(exc)) from None
