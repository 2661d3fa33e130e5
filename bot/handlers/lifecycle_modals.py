"""Submitting the small lifecycle modals: update, severity, skip reason, step answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.core.domain import Severity
from bot.core.errors import FirebellError
from bot.core.ids import Callback, ModalField
from bot.handlers.people import actor_for
from bot.incidents.lifecycle_views import modal_metadata
from bot.incidents.rules import Actor
from bot.runtime import CONTEXT_KEY, Runtime

Submit = Callable[[Runtime, Actor, dict[str, Any], dict[str, Any]], str]


def _value(values: dict[str, Any], field: ModalField) -> str:
    element = values.get(field.value, {}).get(field.value, {})
    if "selected_option" in element:
        return str((element["selected_option"] or {}).get("value", ""))
    return str(element.get("value") or "")


def _update(rt: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]) -> str:
    return rt.lifecycle.post_update(
        meta["issue"], actor, _value(values, ModalField.UPDATE_TEXT)
    ).message


def _severity(rt: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]) -> str:
    try:
        severity = Severity(_value(values, ModalField.SEVERITY))
    except ValueError:
        raise FirebellError("Choose a severity.", field=ModalField.SEVERITY.value) from None
    return rt.lifecycle.set_severity(meta["issue"], actor, severity).message


def _skip(rt: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]) -> str:
    return rt.checklist.skip(meta["issue"], actor, meta["step"], _value(values, ModalField.REASON))


def _answer(rt: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]) -> str:
    return rt.checklist.complete(
        meta["issue"], actor, meta["step"], _value(values, ModalField.ANSWER)
    )


SUBMITS: dict[Callback, tuple[Submit, ModalField]] = {
    Callback.UPDATE_MODAL: (_update, ModalField.UPDATE_TEXT),
    Callback.SEVERITY_MODAL: (_severity, ModalField.SEVERITY),
    Callback.SKIP_MODAL: (_skip, ModalField.REASON),
    Callback.ANSWER_MODAL: (_answer, ModalField.ANSWER),
}


def _handler(submit: Submit, main_field: ModalField) -> Callable[..., Any]:
    async def handle(
        ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
    ) -> None:
        runtime: Runtime = context[CONTEXT_KEY]
        view = body["view"]
        try:
            actor = await actor_for(runtime, client, body["user"]["id"])
            submit(
                runtime,
                actor,
                modal_metadata(view.get("private_metadata")),
                view["state"]["values"],
            )
        except FirebellError as exc:
            # Every refusal shows on the form, which keeps what the person typed.
            await ack(response_action="errors", errors={exc.field or main_field.value: exc.message})
            return
        await ack()
        runtime.worker.kick()

    return handle


def register(app: AsyncApp) -> None:
    for callback, (submit, field) in SUBMITS.items():
        app.view(callback.value)(_handler(submit, field))
