"""Playbook checklists from Slack: a step's Done and Skip buttons and their modals."""

from __future__ import annotations

from typing import Any

from slack_sdk.web.async_client import AsyncWebClient

from bot.core.ids import Action, Callback, ModalField
from bot.core.people import Actor
from bot.handlers.carried import detail_of, form_issue, form_step, issue_id_of
from bot.handlers.incidents import field_value
from bot.handlers.listener import Later, Reply
from bot.handlers.replies import open_view
from bot.incidents.lifecycle_views import answer_modal, skip_modal
from bot.serving.runtime import Runtime


def _step_of(value: str) -> tuple[int, str]:
    """A step button's value is `<issue id>:<step id>`."""
    return issue_id_of(value), detail_of(value)


async def step_done(
    runtime: Runtime,
    client: AsyncWebClient,
    body: dict[str, Any],
    later: Later,
    actor: Actor,
    value: str,
) -> Reply:
    issue_id, step_id = _step_of(value)
    step = await runtime.db.run(runtime.checklist.find_step, issue_id, step_id)
    if step.question:
        view = answer_modal(issue_id, step_id, step.text, step.question)
        later(open_view(client, body, view), "open answer modal")
        return None
    return await runtime.db.run(runtime.checklist.complete, issue_id, actor, step_id)


async def step_skip(
    runtime: Runtime, client: AsyncWebClient, body: dict[str, Any], later: Later, value: str
) -> Reply:
    issue_id, step_id = _step_of(value)
    step = await runtime.db.run(runtime.checklist.find_step, issue_id, step_id)
    later(open_view(client, body, skip_modal(issue_id, step_id, step.text)), "open skip modal")
    return None


async def submit_skip(
    runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    reason = field_value(values, ModalField.REASON)
    await runtime.db.run(runtime.checklist.skip, form_issue(meta), actor, form_step(meta), reason)
    return None


async def submit_answer(
    runtime: Runtime, actor: Actor, meta: dict[str, Any], values: dict[str, Any]
) -> Reply:
    answer = field_value(values, ModalField.ANSWER)
    await runtime.db.run(
        runtime.checklist.complete, form_issue(meta), actor, form_step(meta), answer
    )
    return None


BUTTONS = {Action.STEP_DONE: step_done, Action.STEP_SKIP: step_skip}
MODALS = {
    Callback.SKIP_MODAL: (submit_skip, ModalField.REASON.value),
    Callback.ANSWER_MODAL: (submit_answer, ModalField.ANSWER.value),
}
