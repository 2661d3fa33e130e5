"""Slack's HTTP requests: a verified, parsed bolt request, or a 4xx answer in JSON.

We do not use `slack_bolt.adapter.aiohttp.to_bolt_request`, because of what bolt
does with the raw body:
- `parse_body` (slack_bolt/request/internals.py) reads every form body that merely
  contains the substring "payload" as an interactive payload, and finds none, so a
  slash command whose text, channel or user name holds that word reached no
  listener and was answered 404;
- its signature check (`int(timestamp)`, `hmac.compare_digest` on str) raises on a
  timestamp that is not a number or a non-ASCII signature, which is a 500, and it
  logs the whole body of every badly signed request at INFO;
- a body that is signed but not shaped like Slack's (`payload=null`, actions that
  are not a list, a lone surrogate) made its routing or our listeners raise: a 500.

So the signature is checked here first, over the exact bytes; the body is parsed
once, a form being interactive only when it has a `payload` field; the fields that
bolt's routing and our listeners index are checked; and bolt receives the parsed
body. Bolt's own check is switched off in create_app: this one runs first.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import parse_qs

from aiohttp import web
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest

log = logging.getLogger(__name__)

# Slack's largest requests (a modal of 100 blocks submitted, a long message with a
# shortcut) are a few hundred KB; anything bigger is not from Slack.
MAX_BODY_BYTES = 1024 * 1024
MAX_FORM_FIELDS = 100  # a slash command has about fifteen
MAX_AGE_SECONDS = 5 * 60  # Slack's rule, and bolt's
TIMESTAMP = re.compile(r"[0-9]{1,12}")
SIGNATURE = re.compile(r"v0=[0-9a-f]{64}")
# Characters no Slack text holds and that break storage: NUL (PostgreSQL refuses
# it) and lone surrogates (not encodable as UTF-8). In JSON both arrive as \u escapes.
UNSAFE = re.compile("[\x00\ud800-\udfff]")
UNSAFE_ESCAPE = re.compile(r"\\u(?:0000|[dD][89a-fA-F])")
NoneType = type(None)


class Refused(Exception):
    """A request answered with a 4xx: `reason` is the JSON error, `detail` only logged."""

    def __init__(self, status: int, reason: str, detail: str = "") -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason
        self.detail = detail

    def response(self) -> web.Response:
        return web.json_response({"ok": False, "error": self.reason}, status=self.status)


def malformed(reason: str) -> Refused:
    return Refused(400, reason)


class ParsedBoltRequest(AsyncBoltRequest):
    """A bolt request carrying the body we parsed.

    In HTTP mode bolt's constructor refuses a dict body and re-parses a str one (with
    the misreading above), so it gets an empty body and the real ones are set after:
    `raw_body` for bolt's own signature check, `body` and its context for routing.
    """

    def __init__(
        self,
        *,
        raw_body: str,
        body: dict[str, Any],
        query: str | Mapping[str, Sequence[str]],
        headers: Mapping[str, Sequence[str]],
        context: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(
            body="",
            query=dict(query) if isinstance(query, Mapping) else query,
            headers=dict(headers),
            context=context,
        )
        self.raw_body = raw_body
        self.body = body
        self.context = build_async_context(self.context, body)

    def to_copyable(self) -> AsyncBoltRequest:
        # Lazy listeners copy the request; bolt's copy would re-parse raw_body its way.
        return ParsedBoltRequest(
            raw_body=self.raw_body,
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
        )


async def read_slack_request(
    request: web.Request, signing_secret: str
) -> ParsedBoltRequest | web.Response:
    """The request for bolt, or the 4xx that answers it (413, then 401, then 400)."""
    try:
        raw = await _read(request)
        check_signature(
            signing_secret,
            raw,
            request.headers.get("X-Slack-Request-Timestamp"),
            request.headers.get("X-Slack-Signature"),
            time.time(),  # Slack's clock, not the injected one: it signs in real time
        )
        text = _decode(raw)
        body = parse_body(text, request.content_type)
        check_shape(body)
        headers = {name: request.headers.getall(name) for name in request.headers}
        return _bolt_request(text, body, request.query_string, headers)
    except Refused as refusal:
        # Never the body: a forged request may carry anything, a real one private text.
        level = logging.INFO if refusal.status == 401 else logging.WARNING
        detail = f" ({refusal.detail})" if refusal.detail else ""
        log.log(level, "refused a Slack request: %d %s%s", refusal.status, refusal.reason, detail)
        return refusal.response()


async def _read(request: web.Request) -> bytes:
    too_large = Refused(413, f"the body is too large (at most {MAX_BODY_BYTES} bytes)")
    if (request.content_length or 0) > MAX_BODY_BYTES:
        raise too_large  # refused before a byte of it is read
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:  # a chunked body over the app's own limit
        raise too_large from None
    if len(raw) > MAX_BODY_BYTES:
        raise too_large
    return raw


def check_signature(
    secret: str, raw: bytes, timestamp: str | None, signature: str | None, now: float
) -> None:
    """Slack's v0 signature over the exact bytes; every failure is the same 401."""

    def refuse(detail: str) -> Refused:
        return Refused(401, "invalid signature", detail)

    if not secret:
        raise refuse("no signing secret is configured")
    if timestamp is None or signature is None:
        raise refuse("no signature headers")
    if not TIMESTAMP.fullmatch(timestamp):
        raise refuse("the timestamp is not a number")
    if abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise refuse("the timestamp is more than five minutes away; check the clock")
    # ASCII only: compare_digest raises on other text, which made bolt answer 500.
    if not SIGNATURE.fullmatch(signature):
        raise refuse("the signature is not v0=<hex>")
    signed = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, signature):
        raise refuse("the signature does not match")


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        raise malformed("the body is not UTF-8") from None


def parse_body(text: str, content_type: str | None) -> dict[str, Any]:
    """JSON (Events API) or a form: a slash command, or an interactive `payload` field."""
    if not text:
        return {}
    # Bolt's rule for telling JSON from a form, kept so both agree.
    if content_type == "application/json" or text.startswith("{"):
        return _json_object(text, "body")
    try:
        fields = parse_qs(
            text, keep_blank_values=True, errors="replace", max_num_fields=MAX_FORM_FIELDS
        )
    except ValueError:
        raise malformed(f"the form has more than {MAX_FORM_FIELDS} fields") from None
    # The last of a repeated field wins, as in bolt.
    form = {name: values[-1] for name, values in fields.items()}
    if any(UNSAFE.search(value) for value in form.values()):
        raise malformed("the form holds a NUL character")
    if "payload" in form:
        return _json_object(form["payload"], "payload")
    return form


def _json_object(text: str, what: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: nested thousands deep
        raise malformed(f"{what} is not valid JSON") from None
    if not isinstance(data, dict):
        raise malformed(f"{what} is not a JSON object")
    if UNSAFE_ESCAPE.search(text) and _holds_unsafe_text(data):
        raise malformed(f"{what} holds a lone surrogate or NUL, which is not valid Unicode text")
    if not data.get("type") or not isinstance(data["type"], str):
        raise malformed(f"{what} has no type")  # every JSON body and payload Slack sends has one
    return data


def _holds_unsafe_text(data: object) -> bool:
    stack = [data]  # not recursive: the depth is whatever the sender chose
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if UNSAFE.search(item):
                return True
        elif isinstance(item, dict):
            stack.extend(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return False


def _bolt_request(
    text: str, body: dict[str, Any], query: str, headers: dict[str, list[str]]
) -> ParsedBoltRequest:
    try:
        return ParsedBoltRequest(raw_body=text, body=body, query=query, headers=headers)
    except (KeyError, TypeError, AttributeError, IndexError, ValueError) as exc:
        # Bolt reads ids from many places (authorizations, event, message…); the
        # checks below cover the ones we know, this any other shape it trips on.
        raise Refused(
            400,
            "the fields are not shaped as Slack sends them",
            f"{type(exc).__name__} in bolt's context",
        ) from None


# -- shapes ---------------------------------------------------------------------------

# The kind of each field wherever it appears at the top level of a body or in the
# nested objects bolt searches for ids (event, authorizations, message, item, …).
FIELD_KINDS: dict[str, tuple[type, ...]] = {
    "team": (str, dict, NoneType),
    "enterprise": (str, dict, NoneType),
    "user": (str, dict, NoneType),
    "channel": (str, dict, NoneType),
    "event": (dict,),
    "message": (dict, NoneType),
    "previous_message": (dict, NoneType),
    "item": (dict, NoneType),
    "assistant_thread": (dict, NoneType),
    "authorizations": (list, NoneType),
    "actions": (list,),
    "view": (dict,),
    "response_url": (str,),
    "response_urls": (list,),
    "trigger_id": (str,),
    "callback_id": (str,),
    "command": (str,),
    "text": (str, NoneType),
    "ts": (str,),
    "user_id": (str,),
    "channel_id": (str,),
    "team_id": (str, NoneType),
    "event_id": (str,),
    "challenge": (str,),
}
NESTED = ("event", "message", "previous_message", "item", "assistant_thread")
# What Slack always sends with each kind of request Firebell handles.
REQUIRED: dict[str, tuple[str, ...]] = {
    "command": ("command", "user_id", "trigger_id"),
    "block_actions": ("user", "actions", "trigger_id"),
    "view_submission": ("user", "view"),
    "view_closed": ("user", "view"),
    "shortcut": ("user", "callback_id", "trigger_id"),
    "message_action": ("user", "callback_id", "trigger_id", "message", "channel"),
    "event_callback": ("event",),
    "url_verification": ("challenge",),
}


def check_shape(body: dict[str, Any]) -> None:
    """Refuse a body whose fields bolt's routing or our listeners would trip on."""
    _check_fields(body, "")
    kind = "command" if "command" in body else str(body.get("type"))
    for name in REQUIRED.get(kind, ()):
        if not body.get(name):
            raise malformed(f"a {kind} request needs `{name}`")
    if kind == "command":
        _check_strings(body, ("text",), "")
    elif kind in REQUIRED and "user" in REQUIRED[kind]:
        if not isinstance(body["user"], dict) or not isinstance(body["user"].get("id"), str):
            raise malformed("`user` must be an object with an `id`")
    if kind == "block_actions":
        for action in body["actions"]:
            if not isinstance(action, dict) or not isinstance(action.get("action_id"), str):
                raise malformed("each of `actions` must be an object with an `action_id`")
            _check_strings(action, ("block_id", "value"), "actions[].")
    if "view" in body:
        _check_view(body["view"], submitted=kind in {"view_submission", "view_closed"})
    if kind == "event_callback" and not isinstance(body["event"].get("type"), str):
        raise malformed("`event` has no type")
    if kind == "message_action":
        _check_strings(body["message"], ("ts",), "message.", required=True)


def _check_fields(data: dict[str, Any], where: str, depth: int = 0) -> None:
    for name, kinds in FIELD_KINDS.items():
        if name in data and not isinstance(data[name], kinds):
            raise malformed(f"`{where}{name}` must be {_describe(kinds)}")
    for name in ("team", "enterprise", "user", "channel"):
        value = data.get(name)
        if isinstance(value, dict) and not isinstance(value.get("id", ""), str):
            raise malformed(f"`{where}{name}.id` must be text")
    for name in ("authorizations", "response_urls"):
        if any(not isinstance(item, dict) for item in data.get(name) or []):
            raise malformed(f"each of `{where}{name}` must be an object")
    if depth < 2:  # bolt looks two levels down at most (event.message.user)
        for name in NESTED:
            if isinstance(data.get(name), dict):
                _check_fields(data[name], f"{where}{name}.", depth + 1)
        for item in data.get("authorizations") or []:
            _check_fields(item, f"{where}authorizations[].", depth + 1)


def _check_view(view: dict[str, Any], *, submitted: bool) -> None:
    # Bolt routes a submitted or closed view by its callback_id; our forms read its state.
    _check_strings(view, ("callback_id",), "view.", required=submitted)
    _check_strings(view, ("private_metadata", "type", "id", "hash"), "view.")
    state = view.get("state", None if submitted else {"values": {}})
    values = state.get("values") if isinstance(state, dict) else None
    if not isinstance(values, dict) or not all(
        isinstance(block, dict) and all(isinstance(e, dict) for e in block.values())
        for block in values.values()
    ):
        raise malformed("`view.state.values` must map blocks to their elements' state")
    for block in values.values():
        for element in block.values():
            _check_element(element)


def _check_element(element: dict[str, Any]) -> None:
    """An input's state as our forms read it: a text value or chosen options."""
    problem = "`view.state.values` holds an element whose value is not text"
    if not isinstance(element.get("value"), str | NoneType):
        raise malformed(problem)
    chosen = element.get("selected_options", [])
    if "selected_option" in element:
        chosen = [element["selected_option"]] if element["selected_option"] is not None else []
    if not isinstance(chosen, list) or not all(
        isinstance(option, dict) and isinstance(option.get("value"), str) for option in chosen
    ):
        raise malformed(problem.replace("value is", "chosen options are"))


def _check_strings(
    data: dict[str, Any], names: tuple[str, ...], where: str, *, required: bool = False
) -> None:
    for name in names:
        if (required or name in data) and not isinstance(data.get(name), str):
            raise malformed(f"`{where}{name}` must be text")


def _describe(kinds: tuple[type, ...]) -> str:
    words = {str: "text", dict: "an object", list: "a list", NoneType: "null"}
    return " or ".join(words[kind] for kind in kinds)
