"""One error path for every Slack listener, and the arguments listeners ask for.

Every listener is registered through `listener()`. The wrapper acks where the
surface needs an early ack, hands the listener only the arguments it names
(as bolt does), and answers for it: a reply string or blocks go back the way
the surface allows; a FirebellError becomes the user's message (inline on a
modal, ephemeral for commands and buttons); anything else is logged with an
error id and answered with a short apology naming that id. Like starlette's
exception handlers, this is the only place that maps errors to answers.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import Any

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.blocks import modal_metadata
from bot.core.errors import FirebellError, new_error_id
from bot.core.log_context import bind
from bot.core.slack_steps import slack_error
from bot.handlers.replies import apology, tell_user
from bot.serving.runtime import CONTEXT_KEY, Runtime

log = logging.getLogger(__name__)

Reply = str | list[dict[str, Any]] | None
Later = Callable[[Awaitable[Reply], str], None]


class Surface(StrEnum):
    COMMAND = "command"  # answered through the ack (3 s), so work first
    VIEW = "view"  # a modal submit: errors show on the form
    ACTION = "action"  # a button: ack at once, answer ephemerally after
    SHORTCUT = "shortcut"  # ack at once; the work opens a modal
    EVENT = "event"  # acked at once, worked after; nobody to answer: errors are logged


ACK_FIRST = {Surface.ACTION, Surface.SHORTCUT, Surface.EVENT}


class TrackedAck:
    """Bolt's ack, remembering whether it was called (an ack is allowed once)."""

    def __init__(self, ack: AsyncAck) -> None:
        self.bolt_ack = ack
        self.done = False

    async def __call__(self, **kwargs: Any) -> None:
        if not self.done:
            self.done = True
            await self.bolt_ack(**kwargs)


class Call:
    """One Slack request as the error path sees it."""

    def __init__(
        self,
        surface: Surface,
        ack: TrackedAck,
        body: dict[str, Any],
        client: AsyncWebClient,
        runtime: Runtime,
        error_field: str | None,
    ) -> None:
        self.surface = surface
        self.ack = ack
        self.body = body
        self.client = client
        self.runtime = runtime
        self.error_field = error_field

    def what(self) -> str:
        body = self.body
        if self.surface == Surface.COMMAND:
            return f"/incident {body.get('text', '')}".strip()
        if self.surface == Surface.ACTION:
            return f"button {body['actions'][0].get('action_id')}"
        if self.surface == Surface.VIEW:
            return f"modal {body['view'].get('callback_id')}"
        if self.surface == Surface.EVENT:
            return f"event {body.get('event', {}).get('type')}"
        return f"shortcut {body.get('callback_id')}"

    async def reply(self, reply: Reply) -> None:
        """What the listener returned, the way the surface allows."""
        if self.surface == Surface.COMMAND and not self.ack.done:
            if isinstance(reply, list):
                heading = reply[0].get("text", {}).get("text", "Firebell") if reply else "Firebell"
                await self.ack(text=heading, blocks=reply)
            else:
                await self.ack(**({"text": reply} if reply else {}))
            return
        await self.ack()
        if isinstance(reply, list) and reply and self.surface != Surface.EVENT:
            heading = reply[0].get("text", {}).get("text", "Firebell")
            self.runtime.background.spawn(
                tell_user(self.client, self.body, heading, reply), "reply"
            )
            return
        self.tell(reply if isinstance(reply, str) else None)

    async def refuse(self, message: str, field: str | None) -> None:
        """A message the user must read instead of a result."""
        if self.surface == Surface.VIEW and not self.ack.done:
            block = field or self.error_field or "_"
            await self.ack(response_action="errors", errors={block: message})
        elif self.surface == Surface.COMMAND and not self.ack.done:
            await self.ack(text=message)
        else:
            await self.ack()
            self.tell(message)

    def on_form(self) -> bool:
        """Whether an answer can still go onto the modal the person submitted."""
        return self.surface == Surface.VIEW and not self.ack.done

    def tell(self, text: str | None) -> None:
        """An ephemeral answer after the ack, sent in the background (never holding the ack)."""
        if text and self.surface != Surface.EVENT:
            self.runtime.background.spawn(tell_user(self.client, self.body, text), "reply")

    async def guard(self, work: Awaitable[Reply]) -> None:
        """Run the work and answer for it, whatever happens."""
        try:
            bind(slack_user=_safe_user(self.body), slack_channel=_channel_id(self.body))
            reply = await work
        except FirebellError as exc:
            await self.refuse(exc.message, exc.field)
            return
        except (SlackApiError, aiohttp.ClientError, TimeoutError) as exc:
            # Slack refused a call (a user or channel that is not there, as a made-up
            # event names) or did not answer in time: worth a line, not a traceback.
            error_id = new_error_id()
            if isinstance(exc, SlackApiError):
                code = slack_error(exc)
            else:
                code = f"no answer ({type(exc).__name__})"
            log.warning("%s: Slack answered %s, error id %s", self.what(), code, error_id)
            await self.refuse(apology(error_id, on_form=self.on_form()), None)
            return
        except Exception:
            error_id = new_error_id()
            log.exception("%s failed, error id %s", self.what(), error_id)
            await self.refuse(apology(error_id, on_form=self.on_form()), None)
            return
        await self.reply(reply)

    def later(self, work: Awaitable[Reply], name: str) -> None:
        """Slow work after the ack, on the same error path; it answers ephemerally."""
        # Its own ack, already spent: the request's ack stays the listener's to give.
        spent = TrackedAck(self.ack.bolt_ack)
        spent.done = True
        after = Call(self.surface, spent, self.body, self.client, self.runtime, None)
        self.runtime.background.spawn(after.guard(work), name)


async def _arguments(names: list[str], call: Call) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in names:
        if name == "actor":  # the only one that may ask Slack (admin user groups)
            found[name] = await call.runtime.people.actor(call.client, _user_id(call.body))
        else:
            found[name] = ARGUMENTS[name](call)
    return found


def _user_id(body: dict[str, Any]) -> str:
    return str(body.get("user_id") or body.get("user", {}).get("id") or "")


ARGUMENTS: dict[str, Callable[[Call], Any]] = {
    "ack": lambda call: call.ack,
    "body": lambda call: call.body,
    "client": lambda call: call.client,
    "runtime": lambda call: call.runtime,
    "later": lambda call: call.later,
    "user_id": lambda call: _user_id(call.body),
    "value": lambda call: call.body["actions"][0].get("value", ""),
    "values": lambda call: call.body["view"]["state"]["values"],
    "meta": lambda call: modal_metadata(call.body["view"].get("private_metadata")),
    "view": lambda call: call.body["view"],
    "event": lambda call: call.body.get("event", {}),
    "event_id": lambda call: call.body.get("event_id", ""),
}


# Run before a button's listener, on its error path: (runtime, user id, value).
ButtonCheck = Callable[[Runtime, str, str], None]


def listener(
    fn: Callable[..., Awaitable[Reply]],
    surface: Surface,
    *,
    error_field: str | None = None,
    check: ButtonCheck | None = None,
) -> Callable[..., Awaitable[None]]:
    """Wrap one listener in the error path; `error_field` is a modal's block for errors;
    `check` refuses a button press before the listener runs (handlers/button_checks.py)."""
    names = list(inspect.signature(fn).parameters)
    unknown = [n for n in names if n not in ARGUMENTS and n != "actor"]
    if unknown:
        raise TypeError(f"{fn.__name__} asks for {unknown}, which no listener gets")

    async def handle(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        runtime: Runtime = context[CONTEXT_KEY]
        call = Call(surface, TrackedAck(ack), body, client, runtime, error_field)
        if surface in ACK_FIRST:
            await call.ack()  # the work may take longer than Slack waits for an ack

        async def work() -> Reply:
            if check is not None:
                await runtime.db.run(check, runtime, _user_id(body), str(ARGUMENTS["value"](call)))
            return await fn(**await _arguments(names, call))

        if surface == Surface.EVENT:
            # Events are answered at once and acted on after: their work calls Slack.
            runtime.background.spawn(call.guard(work()), call.what())
        else:
            await call.guard(work())

    # Not functools.wraps: bolt reads the argument names of the unwrapped function.
    handle.__name__ = handle.__qualname__ = f"listen_{fn.__name__}"
    return handle


def _field(value: Any, key: str) -> Any:
    return value.get(key) if isinstance(value, dict) else None


def _safe_user(body: dict[str, Any]) -> str | None:
    """Who sent a request, for the logs; any shape of body (a hostile one too)."""
    for found in (body.get("user_id"), _field(body.get("user"), "id")):
        if isinstance(found, str):
            return found[:32]
    return None


def _channel_id(body: dict[str, Any]) -> str | None:
    """Where a request came from, for the logs: a command's, a button's or an event's."""
    for found in (
        body.get("channel_id"),
        _field(body.get("channel"), "id"),
        _field(body.get("container"), "channel_id"),
        _field(body.get("event"), "channel"),
    ):
        if isinstance(found, str):
            return found[:32]
    return None
